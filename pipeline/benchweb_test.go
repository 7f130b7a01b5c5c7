package pipeline_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/testweb"
)

// benchWebEnv, set to a number of stories, turns the test binary into the
// simulated web BenchmarkCrawlGrowth crawls (see TestMain): it serves
// testweb with that many stories on 5 outlets, writes its seeds as one JSON
// line to stdout and serves until its stdin is closed.
const benchWebEnv = "WIRECRAWL_BENCH_WEB_STORIES"

// serveBenchWeb is the web process of benchWebEnv; it returns the exit code.
func serveBenchWeb(stories string) int {
	n, err := strconv.Atoi(stories)
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "%s: bad number of stories %q\n", benchWebEnv, stories)
		return 2
	}
	web, err := testweb.Start(context.Background(), testweb.Options{Seed: 16, Outlets: 5, Stories: n})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer web.Close()
	if err := json.NewEncoder(os.Stdout).Encode(web.Seeds()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// webProcess is the simulated web served by a child process, so that the
// benchmark process's CPU is the crawl's alone, as when `wirecrawl crawl`
// runs against `wirecrawl demo --serve-only`.
type webProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	seeds []string
}

// startWebProcess starts the web of stories stories in a child process.
func startWebProcess(b *testing.B, stories int) *webProcess {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), benchWebEnv+"="+strconv.Itoa(stories))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w := &webProcess{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &w.seeds)
	}
	if err != nil {
		_, _ = w.close()
		b.Fatalf("web process: %v", err)
	}
	return w
}

// close stops the web process and returns the CPU time it used.
func (w *webProcess) close() (time.Duration, error) {
	_ = w.stdin.Close()
	if err := w.cmd.Wait(); err != nil {
		return 0, fmt.Errorf("web process: %w", err)
	}
	return w.cmd.ProcessState.UserTime() + w.cmd.ProcessState.SystemTime(), nil
}
