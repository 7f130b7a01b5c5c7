package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// batchDir makes a directory of inputs: the seed article plain and
// gzip-compressed, a binary file, a login wall, a hidden file and a
// subdirectory with the captions page. It returns the directory and the
// inputs in the order clean must report them.
func batchDir(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	seed, err := os.ReadFile(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	captions, err := os.ReadFile("../../cleaner/testdata/captions.html")
	if err != nil {
		t.Fatal(err)
	}
	login, err := os.ReadFile("../../cleaner/testdata/no_article_login.html")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(seed); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"a.html":          seed,
		"b.html.gz":       gz.Bytes(),
		"c.bin":           {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'},
		"d.html":          login,
		".hidden.html":    seed,
		"sub/e.html":      captions,
		".git/config.htm": seed,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	for _, n := range []string{"a.html", "b.html.gz", "c.bin", "d.html", "sub/e.html"} {
		want = append(want, filepath.Join(dir, n))
	}
	return dir, want
}

// TestCleanBatchJSONL: a directory (with a gzip file, a binary file, a
// login wall, hidden files) cleaned with --json gives one JSON line per
// input in order, with its path; the bad inputs have an error and a line
// on standard error each, the batch goes on and exits 1.
func TestCleanBatchJSONL(t *testing.T) {
	dir, want := batchDir(t)
	for _, workers := range []string{"1", "3"} {
		t.Run("workers="+workers, func(t *testing.T) {
			code, out, errs := runClean(t, "", "--json", "--workers", workers, dir)
			if code != 1 {
				t.Errorf("exit %d, want 1 (two inputs have no article)", code)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
			}
			var seedText string
			for i, l := range lines {
				var got struct{ Path, Error, Text, Title string }
				if err := json.Unmarshal([]byte(l), &got); err != nil {
					t.Fatalf("line %d is not JSON: %v: %s", i+1, err, l)
				}
				if got.Path != want[i] {
					t.Errorf("line %d: path %q, want %q", i+1, got.Path, want[i])
				}
				bad := strings.HasSuffix(got.Path, "c.bin") || strings.HasSuffix(got.Path, "d.html")
				switch {
				case bad && (got.Error == "" || got.Text != ""):
					t.Errorf("%s: error %q, text %.40q; want an error and no text", got.Path, got.Error, got.Text)
				case !bad && (got.Error != "" || got.Text == ""):
					t.Errorf("%s: error %q, text %.40q; want text", got.Path, got.Error, got.Text)
				}
				if strings.HasSuffix(got.Path, "a.html") {
					seedText = got.Text
				}
				if strings.HasSuffix(got.Path, ".gz") && got.Text != seedText {
					t.Errorf("the gzip copy of the seed page gave other text")
				}
			}
			stderrLines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
			if len(stderrLines) != 3 || !strings.Contains(stderrLines[0], "c.bin") || !strings.Contains(stderrLines[0], "not an HTML page") ||
				!strings.Contains(stderrLines[1], "d.html") || !strings.Contains(stderrLines[1], "login wall") ||
				!strings.Contains(stderrLines[2], "2 of 5 inputs failed") {
				t.Errorf("stderr: want a line per bad input and a summary, got\n%s", errs)
			}
		})
	}
}

// TestCleanBatchInputFileAndText: --input-file lists inputs (comments and
// blank lines skipped, a missing file reported in its turn), arguments come
// first, and text output heads each page with its path.
func TestCleanBatchInputFileAndText(t *testing.T) {
	dir, want := batchDir(t)
	list := filepath.Join(t.TempDir(), "list.txt")
	missing := filepath.Join(dir, "missing.html")
	content := "# pages\n" + want[1] + "\n\n" + missing + "\n" + want[4] + "\n"
	if err := os.WriteFile(list, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runClean(t, "", "--input-file", list, want[0])
	if code != 1 || !strings.Contains(errs, "missing.html") || !strings.Contains(errs, "no such file") {
		t.Errorf("exit %d, stderr %q; want 1 and the missing file named", code, errs)
	}
	var heads []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "==> ") {
			heads = append(heads, l)
		}
	}
	wantHeads := []string{"==> " + want[0] + " <==", "==> " + want[1] + " <==", "==> " + want[4] + " <=="}
	if strings.Join(heads, "|") != strings.Join(wantHeads, "|") {
		t.Errorf("heads %q, want %q", heads, wantHeads)
	}
	if strings.Count(out, "Moscow wants NATO to pledge") != 2 {
		t.Errorf("the seed article should be printed twice (plain and gzip):\n%.500s", out)
	}
}

// TestCleanExplain: --explain names what was pruned and why, with shares,
// and the kept and dropped paragraphs; in JSON it is the explain field.
func TestCleanExplain(t *testing.T) {
	code, out, errs := runClean(t, "", "--explain", seedPage)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"page text: ", "pruned ", "name ", "content: readability", "kept ", "verdict: article"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runClean(t, "", "--explain", "--json", seedPage)
	if code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	var got struct {
		Text    string
		Explain struct {
			PageChars int `json:"page_chars"`
			Verdict   string
			Pruned    []struct {
				Element, Rule string
				Chars         int
				Share         float64
			}
			Blocks []struct {
				Text  string
				Kept  bool
				Rule  string
				Share float64
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	ex := got.Explain
	if ex.PageChars == 0 || ex.Verdict != "article" || len(ex.Pruned) == 0 || len(ex.Blocks) == 0 {
		t.Fatalf("explain = %+v", ex)
	}
	var kept []string
	for _, b := range ex.Blocks {
		if b.Kept {
			kept = append(kept, b.Text)
		} else if b.Rule == "" {
			t.Errorf("dropped block without a rule: %q", b.Text)
		}
	}
	if strings.Join(kept, "") != strings.ReplaceAll(strings.ReplaceAll(got.Text, "\n\n", ""), "\n", "") {
		t.Errorf("the kept blocks are not the text")
	}
	for _, p := range ex.Pruned {
		if p.Rule == "" || p.Element == "" || p.Share < 0 || p.Share > 1 {
			t.Errorf("pruned entry %+v", p)
		}
	}
}

// TestCleanRefusesRandomFiles: random 200 KB files (seeded, with and
// without NUL bytes) exit 1 with a clear message and print nothing, one by
// one and as a batch.
func TestCleanRefusesRandomFiles(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(13, 2))
	var paths []string
	for i := range 8 {
		b := make([]byte, 200<<10)
		for j := range b {
			b[j] = byte(r.UintN(256))
			for i%2 == 1 && b[j] == 0 {
				b[j] = byte(r.UintN(256))
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("random%d.bin", i))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		code, out, errs := runClean(t, "", p)
		if code != 1 || out != "" || !strings.Contains(errs, "not an HTML page") || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %d bytes, stderr %q; want 1, nothing, one line saying not HTML", p, code, len(out), errs)
		}
	}
	code, out, errs := runClean(t, "", append([]string{"--json"}, paths...)...)
	if code != 1 || strings.Count(out, `"error":"clean `) != len(paths) || !strings.Contains(errs, fmt.Sprintf("%d of %d inputs failed", len(paths), len(paths))) {
		t.Errorf("batch: exit %d, stdout %.300q, stderr %q", code, out, errs)
	}
}

// TestCleanWorkersRunAtOnce: with --workers 2 two inputs are cleaned at the
// same time (each worker waits at its first input until the other one has
// started; with one worker the first would wait for ever).
func TestCleanWorkersRunAtOnce(t *testing.T) {
	dir, _ := batchDir(t)
	var started atomic.Int32
	both := make(chan struct{})
	cleanStarted = func() {
		if started.Add(1) == 2 {
			close(both)
		}
		<-both
	}
	defer func() { cleanStarted = nil }()
	done := make(chan int, 1)
	go func() {
		code, _, _ := runClean(t, "", "--json", "--workers", "2", dir)
		done <- code
	}()
	select {
	case code := <-done:
		if code != 1 {
			t.Errorf("exit %d, want 1 (the batch has two bad inputs)", code)
		}
	case <-time.After(time.Minute): // a hang guard only: the clean takes milliseconds
		t.Fatal("the second worker never started while the first was cleaning")
	}
}
