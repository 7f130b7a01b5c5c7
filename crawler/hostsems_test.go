package crawler

import (
	"context"
	"testing"
)

// TestHostSems: each caller holds a host to its own limit against the
// requests in flight in the process (the first caller no longer sizes the
// limit for all), a full host lets a waiter in when a request ends, and a
// host with nothing in flight is forgotten.
func TestHostSems(t *testing.T) {
	hs := newHostSems()
	ctx := context.Background()
	if err := hs.acquire(ctx, "a.example", 1); err != nil {
		t.Fatal(err)
	}
	// A crawler allowed two requests per host gets its second one.
	if err := hs.acquire(ctx, "a.example", 2); err != nil {
		t.Fatal(err)
	}
	// One allowed two waits now, until a request ends.
	got := make(chan error, 1)
	go func() { got <- hs.acquire(ctx, "a.example", 2) }()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := hs.acquire(cancelled, "a.example", 2); err == nil {
		t.Fatal("a full host was acquired")
	}
	// Another host is free meanwhile.
	if err := hs.acquire(ctx, "b.example", 1); err != nil {
		t.Fatal(err)
	}
	hs.release("b.example")
	hs.release("a.example")
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	hs.release("a.example")
	hs.release("a.example")
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if len(hs.inflight) != 0 || len(hs.freed) != 0 {
		t.Errorf("idle hosts kept: %v %v", hs.inflight, hs.freed)
	}
}
