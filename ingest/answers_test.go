package ingest_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

func answerBucket(t *testing.T) *ingest.Answers {
	t.Helper()
	_, js := testenv.JetStream(t, testenv.NATS(t).ClientURL())
	a, err := ingest.EnsureAnswers(context.Background(), js, time.Hour, 1<<20, 1)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A claim keeps other workers off a text until it expires or its answer
// replaces it; it is never read as an answer.
func TestAClaimHoldsUntilItExpiresOrIsAnswered(t *testing.T) {
	ctx := t.Context()
	a := answerBucket(t)
	later := time.Now().Add(time.Hour)
	claim := func(key string, until time.Time) bool {
		t.Helper()
		mine, err := a.Claim(ctx, key, until)
		if err != nil {
			t.Fatal(err)
		}
		return mine
	}
	if !claim("k1", later) {
		t.Fatal("first claim of a new key: not granted")
	}
	if claim("k1", later) {
		t.Error("a live claim was granted again")
	}
	if v, ok, err := a.Get(ctx, "k1"); ok || err != nil {
		t.Errorf("Get of a claimed key: %q, %v, %v; want no answer", v, ok, err)
	}
	if err := a.Put(ctx, "k1", []byte(`{"themes":[]}`)); err != nil {
		t.Fatal(err)
	}
	if claim("k1", later) {
		t.Error("an answered key was claimed")
	}
	if v, ok, err := a.Get(ctx, "k1"); !ok || err != nil || string(v) != `{"themes":[]}` {
		t.Errorf("Get after the answer: %q, %v, %v", v, ok, err)
	}

	// A claim its worker gave up on is taken over by one of the workers
	// that meet it at once.
	if !claim("k2", time.Now().Add(-time.Second)) {
		t.Fatal("first claim of k2: not granted")
	}
	var granted atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if mine, err := a.Claim(ctx, "k2", later); err != nil {
				t.Error(err)
			} else if mine {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := granted.Load(); n != 1 {
		t.Errorf("an expired claim was taken over by %d of 8 workers, want 1", n)
	}
}

// Await hands over answers stored before and while it waits, skips
// claims, and returns when ctx ends with answers still missing.
func TestAwaitHandsOverAnswersAsTheyComeIn(t *testing.T) {
	ctx := t.Context()
	a := answerBucket(t)
	if err := a.Put(ctx, "before", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Claim(ctx, "during", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Claim(ctx, "never", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got := make(map[string]string)
	var mu sync.Mutex
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error)
	keys := []string{"before", "during", "never"}
	go func() {
		done <- a.Await(waitCtx, keys, func(k string, v []byte) {
			mu.Lock()
			got[k] = string(v)
			n := len(got)
			mu.Unlock()
			if n == 2 {
				cancel() // "never" is never answered
			}
		})
	}()
	if err := a.Put(ctx, "during", []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got["before"] != "1" || got["during"] != "2" || len(got) != 2 {
		t.Errorf("handed over %v, want before=1 and during=2 only", got)
	}
	if keys[0] != "before" {
		t.Errorf("Await changed its caller's keys: %v", keys)
	}
}

// A worker that got no answer withdraws its claim, and only its own: the
// workers waiting for the text hear of it.
func TestAReleasedClaimEndsTheWaitForIt(t *testing.T) {
	ctx := t.Context()
	a := answerBucket(t)
	mineUntil, theirsUntil := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	for _, k := range []string{"mine", "answered"} {
		if ok, err := a.Claim(ctx, k, mineUntil); !ok || err != nil {
			t.Fatalf("claim %s: %v %v", k, ok, err)
		}
	}
	if ok, err := a.Claim(ctx, "theirs", theirsUntil); !ok || err != nil {
		t.Fatalf("claim theirs: %v %v", ok, err)
	}
	if err := a.Put(ctx, "answered", []byte("1")); err != nil {
		t.Fatal(err)
	}
	got := make(map[string][]byte)
	var mu sync.Mutex
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error)
	go func() {
		done <- a.Await(waitCtx, []string{"mine", "answered"}, func(k string, v []byte) {
			mu.Lock()
			defer mu.Unlock()
			got[k] = v
		})
	}()
	for _, k := range []string{"mine", "theirs", "answered"} {
		if err := a.Release(ctx, k, mineUntil); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v, ok := got["mine"]; !ok || v != nil || string(got["answered"]) != "1" {
		t.Errorf("handed over %q, want mine withdrawn (nil) and answered=1", got)
	}
	if ok, err := a.Claim(ctx, "theirs", mineUntil); ok || err != nil {
		t.Errorf("another worker's claim was released: claimed again %v (%v)", ok, err)
	}
	if ok, err := a.Claim(ctx, "mine", mineUntil); !ok || err != nil {
		t.Errorf("a released claim cannot be claimed again: %v (%v)", ok, err)
	}
}
