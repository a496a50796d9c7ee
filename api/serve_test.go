package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/api"
	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

func TestServeMigratesRefreshesServesAndStopsCleanly(t *testing.T) {
	dsn := testenv.ClickHouse(t)
	cfg := config.Default()
	cfg.ClickHouse.DSN = dsn
	cfg.Serve.Addr = "127.0.0.1:0"
	cfg.Serve.Token = token
	cfg.Serve.RefreshInterval = 100 * time.Millisecond

	// Without a token it refuses to start.
	noToken := cfg
	noToken.Serve.Token = ""
	if err := api.Main(context.Background(), noToken, zap.NewNop(), nil); err == nil {
		t.Fatal("serve started without a token")
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- api.Main(ctx, cfg, zap.NewNop(), ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped at start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}

	// It migrated the database: store a record and watch the refresh loop
	// roll it up.
	ch, err := sinks.Open(dsn, 5*time.Second, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	row := sinks.Row{ID: "r1", Source: "zendesk", Kind: "ticket", CreatedAt: time.Now().UTC().AddDate(0, 0, -3), IngestedAt: time.Now().UTC(),
		Body: "x", Themes: []string{"billing"}, ThemeConfidence: []float32{1}, ThemeEvidence: []string{"x"}, ThemeSentiment: []float32{0}}
	if err := ch.Write(context.Background(), []sinks.Row{row}); err != nil {
		t.Fatal(err)
	}
	conn := testenv.Conn(t, dsn)
	deadline := time.Now().Add(20 * time.Second)
	for testenv.QueryUint64(t, conn, "SELECT count() FROM "+ch.Database()+".theme_periods WHERE theme = 'billing'") < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the refresh loop did not roll up the new record's day, week and month")
		}
		time.Sleep(100 * time.Millisecond)
	}

	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/trends?grain=day&periods=7", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("trends: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve stopped with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}
