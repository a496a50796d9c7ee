package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// A query that failed on its own is logged at error level even when the
// client has left by the time the failure arrives; only the query the
// client's leaving stopped is logged at debug.
func TestAFailureAfterTheClientLeftIsStillLogged(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	h := &Handler{opts: Options{Log: zap.New(core)}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/trends", nil).WithContext(ctx)

	h.fail(httptest.NewRecorder(), req, errors.New("code: 60, message: Unknown table expression identifier 'feedback'"))
	h.fail(httptest.NewRecorder(), req, context.Canceled)
	var levels []zapcore.Level
	for _, e := range logs.All() {
		levels = append(levels, e.Level)
	}
	if len(levels) != 2 || levels[0] != zapcore.ErrorLevel || levels[1] != zapcore.DebugLevel {
		t.Errorf("logged at %v, want error for the table's failure and debug for the client gone", levels)
	}
}
