package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// workerProc is a worker running in its own process.
type workerProc struct {
	cmd    *exec.Cmd
	logs   *bytes.Buffer
	exited chan struct{}
	err    error
}

// spawnWorker starts the test binary as a worker process (see TestMain)
// configured through FEEDBACKLOOP_ variables, as an operator would.
func (p *pipeline) spawnWorker() *workerProc {
	p.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		runAsWorker+"=1",
		"FEEDBACKLOOP_NATS_URL="+p.cfg.NATS.URL,
		"FEEDBACKLOOP_CLICKHOUSE_DSN="+p.cfg.ClickHouse.DSN,
		"FEEDBACKLOOP_METRICS_ADDR=",
		"FEEDBACKLOOP_BATCH_MAX_WAIT=200ms",
		"FEEDBACKLOOP_BATCH_MAX_ROWS=1000",
		"FEEDBACKLOOP_NATS_ACK_WAIT=5s",
		"FEEDBACKLOOP_CLICKHOUSE_INSERT_TIMEOUT=3s",
		"FEEDBACKLOOP_WORKER_RETRY_INITIAL=50ms",
		"FEEDBACKLOOP_WORKER_RETRY_MAX=500ms",
	)
	w := &workerProc{cmd: cmd, logs: &bytes.Buffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = w.logs, w.logs
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go func() {
		w.err = cmd.Wait()
		close(w.exited)
	}()
	p.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-w.exited
		if p.t.Failed() {
			p.t.Logf("worker %d output:\n%s", cmd.Process.Pid, w.logs.String())
		}
	})
	return w
}

// running fails the test if the worker exited on its own.
func (w *workerProc) running(t *testing.T) bool {
	t.Helper()
	select {
	case <-w.exited:
		t.Fatalf("worker exited by itself (%v)", w.err)
	default:
	}
	return true
}

func (w *workerProc) kill(t *testing.T) {
	t.Helper()
	w.running(t)
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-w.exited
}

// The acceptance scenario: 20,000 records, 5% of them republished
// under a new Nats-Msg-Id, 1% invalid, the worker killed with SIGKILL twice
// while it works and restarted. Afterwards every valid id is stored once,
// the dead-letter stream holds exactly the invalid messages, and nothing is
// left pending.
func TestWorkerKilledTwiceMidRunLosesAndDuplicatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end crash scenario")
	}
	p := newPipeline(t)
	const total = 20000
	type msg struct {
		subject, id string
		data        []byte
	}
	var msgs []msg
	valid := map[string]bool{}
	invalid := map[string]bool{}
	for i := 0; i < total; i++ {
		r := record(i)
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		subject, msgID := feedback.Subject(r), r.ID
		if i%100 == 42 { // 1% invalid: a few kinds of poison
			msgID = fmt.Sprintf("poison-%d", i)
			switch (i / 100) % 3 {
			case 0:
				data = []byte(`{"id":` + fmt.Sprint(i))
			case 1:
				data = bytes.Replace(data, []byte(`"kind":"`+r.Kind+`"`), []byte(`"kind":"rant"`), 1)
			case 2:
				data = bytes.Replace(data, []byte(`"created_at":"`), []byte(`"created_at":"yesterday`), 1)
			}
			invalid[msgID] = true
		} else {
			valid[r.ID] = true
		}
		msgs = append(msgs, msg{subject, msgID, data})
		if i%20 == 7 && !invalid[msgID] { // 5% republished under a new message id
			msgs = append(msgs, msg{subject, "again-" + r.ID, data})
		}
	}

	// Publish at a steady pace so that the kills land while records flow.
	var wg sync.WaitGroup
	wg.Add(1)
	pubErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		const perTick = 60 // ~6,000 messages/s: the run takes about 3.5 s
		for start := 0; start < len(msgs); start += perTick {
			<-tick.C
			for _, m := range msgs[start:min(start+perTick, len(msgs))] {
				if err := p.publishRawErr(m.subject, m.id, m.data); err != nil {
					pubErr <- err
					return
				}
			}
		}
	}()

	stored := func() uint64 { return p.count("SELECT count() FROM {db}.feedback") }
	w := p.spawnWorker()
	p.waitFor("first rows", 60*time.Second, func() bool { return w.running(t) && stored() >= 3000 })
	w.kill(t)
	w = p.spawnWorker()
	p.waitFor("more rows after the first restart", 60*time.Second, func() bool { return w.running(t) && stored() >= 10000 })
	w.kill(t)
	w = p.spawnWorker()
	wg.Wait()
	select {
	case err := <-pubErr:
		t.Fatal(err)
	default:
	}
	// Messages the killed workers held come back after AckWait (5 s).
	p.waitSettled(120 * time.Second)
	w.running(t)

	if n := p.settledRows(); n != uint64(len(valid)) {
		t.Errorf("count() FINAL = %d, want %d distinct valid ids", n, len(valid))
	}
	if n := p.count("SELECT uniqExact(id) FROM {db}.feedback"); n != uint64(len(valid)) {
		t.Errorf("%d distinct ids stored, want %d", n, len(valid))
	}
	raw := stored()
	t.Logf("%d raw rows for %d valid ids (copies from republishing and redelivery that background merges have not yet removed)", raw, len(valid))
	dead := map[string]int{}
	for _, m := range p.deadLetters() {
		dead[m.Header.Get("Feedback-Msg-Id")]++
	}
	if len(dead) != len(invalid) {
		t.Errorf("%d distinct messages dead-lettered, want %d", len(dead), len(invalid))
	}
	for id, n := range dead {
		if !invalid[id] {
			t.Errorf("valid message %s dead-lettered", id)
		}
		if n != 1 {
			t.Errorf("%s dead-lettered %d times", id, n)
		}
	}
	info := p.consumer()
	if info.NumPending != 0 || info.NumAckPending != 0 {
		t.Errorf("consumer has %d pending and %d unacked", info.NumPending, info.NumAckPending)
	}
	// The kills must have hit messages in flight, or this test shows nothing
	// about crashes: those were delivered again to the next worker.
	if info.Delivered.Consumer <= uint64(len(msgs)) {
		t.Errorf("%d deliveries for %d messages: no message was in flight when the workers were killed", info.Delivered.Consumer, len(msgs))
	}
	t.Logf("%d deliveries for %d messages", info.Delivered.Consumer, len(msgs))
}

func (p *pipeline) settledRows() uint64 {
	return p.count("SELECT count() FROM {db}.feedback FINAL")
}

func (p *pipeline) publishRawErr(subject, msgID string, data []byte) error {
	_, err := p.js.PublishMsg(context.Background(), rawMsg(subject, msgID, data))
	return err
}

// SIGTERM to a worker process: it stops fetching, writes and acks what it
// holds and exits 0 within its shutdown timeout.
func TestWorkerProcessExitsZeroOnSIGTERMWithEverythingAcked(t *testing.T) {
	p := newPipeline(t)
	var recs []*feedback.Record
	for i := 0; i < 3000; i++ {
		recs = append(recs, record(i))
	}
	w := p.spawnWorker()
	p.publish(recs...)
	// Stop it while it still holds messages: the spawned worker flushes
	// every 200 ms, so some are in a batch right after they were delivered.
	p.waitFor("the worker to hold messages", 30*time.Second, func() bool {
		return w.running(t) && p.hasConsumer() && p.consumer().NumAckPending > 0
	})
	start := time.Now()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("worker still running 20 s after SIGTERM")
	}
	if w.err != nil {
		t.Fatalf("worker exited with %v after SIGTERM, want status 0:\n%s", w.err, w.logs.String())
	}
	t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	info := p.consumer()
	if info.NumAckPending != 0 {
		t.Fatalf("%d messages left unacked by a clean stop", info.NumAckPending)
	}
	stored := p.count("SELECT count() FROM {db}.feedback FINAL")
	if delivered := uint64(len(recs)) - info.NumPending; stored != delivered {
		t.Fatalf("%d rows stored for %d messages the worker took", stored, delivered)
	}
}
