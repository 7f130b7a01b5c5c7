package testweb

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// TestCloseStopsEverything: after Close (or the context ending) the
// outlets refuse connections and no goroutine of the web is left, even
// with an endless body being read.
func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, viaContext := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		w, err := Start(ctx, Options{Seed: 71, Stories: 30, Faults: true})
		if err != nil {
			t.Fatal(err)
		}
		tr := &http.Transport{}
		c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
		var endless string
		for _, tp := range w.Traps() {
			if tp.Kind == TrapEndless {
				endless = tp.URL
			}
		}
		resp, err := c.Get(endless)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1024)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Fatal(err)
		}
		home := w.Outlets()[0].Home
		if viaContext {
			cancel()
			time.Sleep(100 * time.Millisecond)
		}
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		resp.Body.Close()
		tr.CloseIdleConnections()
		cancel()
		if resp, err := (&http.Client{Timeout: time.Second}).Get(home); err == nil {
			resp.Body.Close()
			t.Errorf("outlet still answers after Close (via context %v)", viaContext)
		}
	}
	deadline := time.Now().Add(30 * time.Second) // waited for only if goroutines are left
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
