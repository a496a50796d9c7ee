package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/config"
)

func TestServeSectionReadsTheEnvironmentAndNamesBadKeys(t *testing.T) {
	c, err := config.Load("", []string{
		"FEEDBACKLOOP_SERVE_ADDR=127.0.0.1:9999",
		"FEEDBACKLOOP_SERVE_TOKEN=0123456789abcdef0123",
		"FEEDBACKLOOP_SERVE_REFRESH_INTERVAL=30s",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Serve.Addr != "127.0.0.1:9999" || c.Serve.Token != "0123456789abcdef0123" || c.Serve.RefreshInterval != 30*time.Second || c.Serve.Settle != 5*time.Minute {
		t.Fatalf("serve section %+v", c.Serve)
	}
	if strings.Contains(c.Redacted().Serve.Token, "0123") {
		t.Fatal("the token survives redaction")
	}
	for _, tc := range []struct{ env, key string }{
		{"FEEDBACKLOOP_SERVE_TOKEN=short", "serve.token"},
		{"FEEDBACKLOOP_SERVE_ADDR=nowhere", "serve.addr"},
		{"FEEDBACKLOOP_SERVE_SETTLE=0s", "serve.settle"},
		{"FEEDBACKLOOP_SERVE_REFRESH_INTERVAL=-1s", "serve.refresh_interval"},
		{"FEEDBACKLOOP_SERVE_WRITE_TIMEOUT=1s", "serve.write_timeout"},
	} {
		_, err := config.Load("", []string{tc.env})
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: %v, want an error naming %s", tc.env, err, tc.key)
		}
		if strings.Contains(tc.env, "TOKEN") && err != nil && strings.Contains(err.Error(), "short") {
			t.Errorf("the error shows the token: %v", err)
		}
	}
}
