package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/cleaner"
)

// cleanInput is one page to clean: a path, or "-" for standard input. err
// is set when the input could not even be listed (a bad line in LIST).
type cleanInput struct {
	name string
	err  error
}

// cleanResult is what one input printed, kept until its turn comes.
type cleanResult struct {
	out    []byte // for standard output
	errMsg string // one line for standard error; empty when it went well
}

// cleanStarted, when set (by tests), is called by a batch worker as it
// starts on an input.
var cleanStarted func()

// cleanInputs cleans every input with o.workers at once and prints the
// results in input order. One plain input behaves as the single-page
// command always did: its error is the command's error.
func (a *app) cleanInputs(ctx context.Context, c *cleaner.Cleaner, maxBytes int64, args []string, o cleanOptions) error {
	inputs, batch, err := expandInputs(args, o.inputList)
	if err != nil {
		return err
	}
	if !batch {
		res, cerr := a.cleanOne(c, maxBytes, inputs[0].name, o, false)
		if _, err := a.stdout.Write(res.out); err != nil {
			return fmt.Errorf("clean: write: %w", err)
		}
		return cerr
	}

	return a.cleanBatch(ctx, c, maxBytes, inputs, o)
}

// cleanBatch cleans inputs with o.workers at once and prints the results
// in input order; a failed input is reported and counted, and fails the
// batch (errPartial) once all were printed.
func (a *app) cleanBatch(ctx context.Context, c *cleaner.Cleaner, maxBytes int64, inputs []cleanInput, o cleanOptions) error {
	workers := min(o.workers, max(len(inputs), 1))
	g, gctx := errgroup.WithContext(ctx)
	jobs := make(chan int)
	results := make([]chan cleanResult, len(inputs))
	for i := range results {
		results[i] = make(chan cleanResult, 1)
	}
	// At most window inputs are in flight or waiting to be printed, so a
	// slow page holds back a bounded amount of finished output.
	window := make(chan struct{}, 4*workers)
	g.Go(func() error { return feedCleanJobs(gctx, len(inputs), window, jobs) })
	for range workers {
		g.Go(func() error {
			for i := range jobs {
				if cleanStarted != nil {
					cleanStarted()
				}
				in := inputs[i]
				var res cleanResult
				if in.err != nil {
					res = a.failed(in.name, in.err, nil, o)
				} else {
					res, _ = a.cleanOne(c, maxBytes, in.name, o, true)
				}
				results[i] <- res // buffered: never blocks
			}
			return nil
		})
	}
	failed, werr := a.printCleanResults(gctx, results, window)
	if err := g.Wait(); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	if failed > 0 {
		return fmt.Errorf("clean: %d of %d inputs failed: %w", failed, len(inputs), errPartial)
	}
	return nil
}

// feedCleanJobs sends the input indexes 0..n-1 to jobs, each once a slot
// of window is free, and closes jobs.
func feedCleanJobs(ctx context.Context, n int, window chan<- struct{}, jobs chan<- int) error {
	defer close(jobs)
	for i := range n {
		select {
		case window <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// printCleanResults prints each input's result in input order as it
// comes, freeing its window slot, until ctx ends; it returns how many
// inputs failed and the first error writing standard output.
func (a *app) printCleanResults(ctx context.Context, results []chan cleanResult, window <-chan struct{}) (failed int, werr error) {
	for i := range results {
		var res cleanResult
		select {
		case res = <-results[i]:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		<-window
		if res.errMsg != "" {
			failed++
			fmt.Fprintln(a.stderr, "wirecrawl:", res.errMsg)
		}
		if werr == nil {
			if _, err := a.stdout.Write(res.out); err != nil {
				werr = fmt.Errorf("clean: write: %w", err)
			}
		}
	}
	return failed, werr
}

// cleanOne reads and cleans one input and renders what it prints. In a
// batch, text output is headed by the input's path.
func (a *app) cleanOne(c *cleaner.Cleaner, maxBytes int64, name string, o cleanOptions, batch bool) (cleanResult, error) {
	body, err := a.readPage(name, maxBytes)
	if err != nil {
		return a.failed(name, err, nil, o), err
	}
	var doc wirecrawl.Document
	var ex *cleaner.Explanation
	if o.explain {
		var e cleaner.Explanation
		doc, e, err = c.Explain(body, o.pageURL, "")
		ex = &e
	} else {
		doc, err = c.Clean(body, o.pageURL, "")
	}
	if err != nil {
		err = fmt.Errorf("clean %s: %w", displayName(name), err)
		return a.failed(name, err, ex, o), err
	}
	var b bytes.Buffer
	switch {
	case o.asJSON:
		line, err := jsonLine(name, doc, ex, nil)
		if err != nil {
			return cleanResult{errMsg: err.Error()}, err
		}
		b.Write(line)
	default:
		if batch {
			fmt.Fprintf(&b, "==> %s <==\n", displayName(name))
		}
		if ex != nil {
			explainText(&b, ex)
		} else {
			b.WriteString(doc.Text + "\n")
		}
		if batch {
			b.WriteByte('\n')
		}
	}
	return cleanResult{out: b.Bytes()}, nil
}

// failed renders an input that gave no article: its JSON line, or with
// --explain the report that says why; the error goes to standard error.
func (a *app) failed(name string, err error, ex *cleaner.Explanation, o cleanOptions) cleanResult {
	var b bytes.Buffer
	switch {
	case o.asJSON:
		if line, jerr := jsonLine(name, wirecrawl.Document{}, ex, err); jerr == nil {
			b.Write(line)
		}
	case ex != nil:
		fmt.Fprintf(&b, "==> %s <==\n", displayName(name))
		explainText(&b, ex)
		b.WriteByte('\n')
	}
	return cleanResult{out: b.Bytes(), errMsg: err.Error()}
}

// expandInputs turns the arguments and the --input-file list into the list
// of inputs: directories become the regular files below them (in name
// order, hidden ones left out). batch is false for one plain FILE or -.
func expandInputs(args []string, list string) (inputs []cleanInput, batch bool, err error) {
	names := append([]string(nil), args...)
	if list != "" {
		batch = true
		listed, err := readInputList(list)
		if err != nil {
			return nil, false, err
		}
		names = append(names, listed...)
	}
	if len(names) > 1 {
		batch = true
	}
	stdin := 0
	for _, name := range names {
		if name == "-" {
			if stdin++; stdin > 1 {
				return nil, false, usageError{errors.New("clean: standard input (-) can be read once")}
			}
			inputs = append(inputs, cleanInput{name: name})
			continue
		}
		fi, err := os.Stat(name)
		if err != nil || !fi.IsDir() {
			// A missing file is reported in its turn; the others go on.
			inputs = append(inputs, cleanInput{name: name})
			continue
		}
		batch = true
		werr := filepath.WalkDir(name, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				inputs = append(inputs, cleanInput{name: path, err: fmt.Errorf("clean %s: %w", path, err)})
				return nil
			}
			if path != name && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				inputs = append(inputs, cleanInput{name: path})
			}
			return nil
		})
		if werr != nil {
			return nil, false, fmt.Errorf("clean: %s: %w", name, werr)
		}
	}
	if len(inputs) == 0 {
		return nil, false, fmt.Errorf("clean: no input files in %s: %w", strings.Join(names, ", "), errPartial)
	}
	return inputs, batch, nil
}

// maxListLine is the longest line read from an --input-file list.
const maxListLine = 64 << 10

// readInputList reads the paths listed one per line in list; blank lines
// and lines starting with # are skipped.
func readInputList(list string) ([]string, error) {
	f, err := os.Open(list)
	if err != nil {
		return nil, usageError{fmt.Errorf("clean: --input-file: %w", err)}
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), maxListLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, line)
	}
	if err := sc.Err(); err != nil {
		return nil, usageError{fmt.Errorf("clean: --input-file %s: %w", list, err)}
	}
	return names, nil
}

// readPage reads FILE or, for "-", standard input, refusing more than the
// cleaner's size limit without reading it all. A gzip stream (known by its
// first bytes) is decompressed, under the same limit.
func (a *app) readPage(name string, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = cleaner.DefaultMaxBytes
	}
	var r io.Reader
	if name == "-" {
		r = a.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("clean: %w", err)
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("clean %s: %w: broken gzip data: %v", displayName(name), cleaner.ErrNotHTML, err)
		}
		defer zr.Close()
		body, err := readLimited(zr, maxBytes)
		if err != nil && !errors.Is(err, cleaner.ErrTooLarge) {
			return nil, fmt.Errorf("clean %s: %w: broken gzip data: %v", displayName(name), cleaner.ErrNotHTML, err)
		}
		if err != nil {
			return nil, fmt.Errorf("clean %s: %w", displayName(name), err)
		}
		return body, nil
	}
	body, err := readLimited(br, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("clean %s: %w", displayName(name), err)
	}
	return body, nil
}

// readLimited reads r to the end, refusing more than maxBytes.
func readLimited(r io.Reader, maxBytes int64) ([]byte, error) {
	limit := maxBytes
	if limit < 1<<62 {
		limit++ // one byte more tells a body at the limit from one above it
	}
	body, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", cleaner.ErrTooLarge, maxBytes)
	}
	return body, nil
}

func displayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}
