package api_test

import (
	"testing"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
