package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDemoDescribesTheWeb(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--seed", "7", "--stories", "60", "--outlets", "4"}, strings.NewReader(""), &out, &errb, nil)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"4 outlets, 60 stories", "Allied Press (wire, AP)", "Pages by kind:", "Seeds (", "Example wire story", "original ", "Example follow-up"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "http://127.0.0.") < 4 {
		t.Errorf("output lists fewer than 4 loopback addresses:\n%s", s)
	}
	// The crawl part: the real pipeline stored the web and merged its copies.
	var pages, stories, merged int
	i := strings.Index(s, "\nStored ")
	if i < 0 {
		t.Fatalf("no crawl result in the output:\n%s", s)
	}
	if _, err := fmt.Sscanf(s[i+1:], "Stored %d pages as %d stories: %d duplicates merged.", &pages, &stories, &merged); err != nil {
		t.Fatalf("crawl result line: %v\n%s", err, s[i:])
	}
	if pages < 100 || merged == 0 || pages != stories+merged {
		t.Errorf("stored %d pages as %d stories with %d merged: want a crawl of the whole web that merged copies", pages, stories, merged)
	}
	checkDemoScore(t, s)
}

// checkDemoScore fails unless the demo's output scores its dedup at P >=
// 0.99 and F1 >= 0.97 against the simulated web's truth.
func checkDemoScore(t *testing.T, s string) {
	t.Helper()
	var p, r, f float64
	j := strings.Index(s, "duplicate pairs: ")
	if j < 0 {
		t.Fatalf("no score in the output:\n%s", s)
	}
	if _, err := fmt.Sscanf(s[j:], "duplicate pairs: precision %f, recall %f, F1 %f", &p, &r, &f); err != nil || p < 0.99 || f < 0.97 {
		t.Errorf("demo dedup score P %.4f F1 %.4f (%v), want P >= 0.99 and F1 >= 0.97", p, f, err)
	}
}

// TestDemoCrowded crawls a crowded web (briefs, standing paragraphs,
// follow-up chains) from the command line and scores it.
func TestDemoCrowded(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a whole simulated web")
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--crowded", "--seed", "3", "--stories", "150", "--outlets", "5"}, strings.NewReader(""), &out, &errb, nil)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "\nCrowded: ") {
		t.Errorf("output does not say the web is crowded:\n%s", s)
	}
	checkDemoScore(t, s)
}

func TestDemoServeOnlyRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"10.0.0.1:8080", "0.0.0.0:8080", "192.168.1.2", "example.com:80"} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"demo", "--serve-only", addr}, strings.NewReader(""), &out, &errb, nil)
		if code != exitUsage {
			t.Errorf("--serve-only %s: exit %d, want %d (stderr %q)", addr, code, exitUsage, errb.String())
		}
	}
}

func TestDemoServeOnlyServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--serve-only", "127.0.0.1:0", "--stories", "30", "--outlets", "3"}, strings.NewReader(""), &out, &errb, nil)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Serving until interrupted") {
		if time.Now().After(deadline) {
			t.Fatalf("no seeds printed; stdout %q stderr %q", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var seed string
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.TrimSpace(line); strings.HasPrefix(f, "http://127.0.0.1:") {
			seed = f
			break
		}
	}
	if seed == "" {
		t.Fatalf("no seed URL on 127.0.0.1 in %q", out.String())
	}
	resp, err := http.Get(seed)
	if err != nil {
		t.Fatalf("GET %s: %v", seed, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: status %d", seed, resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		// a cancelled context maps to the interrupted exit code
		if code != 0 && code != exitInterrupted {
			t.Errorf("exit %d after cancel", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo --serve-only did not stop after cancel")
	}
}
