package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runClean runs `wirecrawl clean args...` with stdin and returns the exit
// code, stdout and stderr.
func runClean(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"clean"}, args...), strings.NewReader(stdin), &out, &errb, nil)
	return code, out.String(), errb.String()
}

const seedPage = "../../cleaner/testdata/seed_article.html"

func TestCleanPrintsTheArticle(t *testing.T) {
	code, out, errs := runClean(t, "", seedPage)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	paras := strings.Split(strings.TrimSuffix(out, "\n"), "\n\n")
	if len(paras) != 20 {
		t.Errorf("got %d paragraphs, want 20 (standfirst and 19 body paragraphs)", len(paras))
	}
	if !strings.HasPrefix(out, "Moscow wants NATO to pledge") || !strings.HasSuffix(out, "known as the Donbas.\n") {
		t.Errorf("output does not run from the standfirst to the last paragraph:\n%s", out)
	}
	for _, junk := range []string{"Copyright", "Share this", "clipboard", "You might also like", "By Daniel Bellamy", "Moscow demands NATO pulls back"} {
		if strings.Contains(out, junk) {
			t.Errorf("boilerplate %q in the output", junk)
		}
	}
}

func TestCleanJSON(t *testing.T) {
	body, err := os.ReadFile(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runClean(t, string(body), "--json", "--url", "https://www.euronews.com/my-europe/2021/12/18/x", "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := map[string]string{
		"url":           "https://www.euronews.com/my-europe/2021/12/18/x",
		"canonical_url": "https://www.euronews.com/2021/12/18/moscow-demands-nato-pulls-back",
		"title":         "Moscow demands NATO pulls back as fears of Russia invading Ukraine rise",
		"byline":        "By Daniel Bellamy with AP",
		"published":     "2021-12-18T14:21:00+01:00",
		"lang":          "en",
		"site":          "euronews",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %q", k, got[k], v)
		}
	}
	text, _ := got["text"].(string)
	if !strings.HasPrefix(text, "Moscow wants NATO") || strings.Contains(text, "Copy to clipboard") {
		t.Errorf("text = %.200q", text)
	}
	if d, _ := got["description"].(string); d == "" {
		t.Error("description is empty")
	}
}

func TestCleanRefusesPagesWithoutArticle(t *testing.T) {
	dir := t.TempDir()
	login, err := os.ReadFile("../../cleaner/testdata/no_article_login.html")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body, reason string
	}{
		{"empty", "", "no article content"},
		{"blank", " \n\t\n", "no article content"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "not an HTML page"},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xed\xbd", "not an HTML page"},
		{"plain text", "just some words, no markup at all", "not an HTML page"},
		{"login wall", string(login), "login wall"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".html")
			if err := os.WriteFile(path, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errs := runClean(t, "", path)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tt.reason) || !strings.HasPrefix(errs, "wirecrawl: clean ") {
				t.Errorf("stderr %q: want one line naming %q", errs, tt.reason)
			}
		})
	}
}

func TestCleanUsage(t *testing.T) {
	if code, _, errs := runClean(t, ""); code != 2 || !strings.Contains(errs, "want one FILE") {
		t.Errorf("no argument: exit %d, stderr %q; want 2 and a usage message", code, errs)
	}
	if code, _, errs := runClean(t, "", "-", "-"); code != 2 {
		t.Errorf("stdin twice: exit %d, stderr %q; want 2", code, errs)
	}
	if code, _, errs := runClean(t, "", "--workers", "-1", seedPage); code != 2 {
		t.Errorf("--workers -1: exit %d, stderr %q; want 2", code, errs)
	}
	if code, _, errs := runClean(t, "", filepath.Join(t.TempDir(), "missing.html")); code != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
	code, out, _ := runClean(t, "", "--help")
	if code != 0 || !strings.Contains(out, "--json") || !strings.Contains(out, "--url") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
}

func TestCleanSizeLimitFromConfig(t *testing.T) {
	body, err := os.ReadFile(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := runClean(t, string(body), "--set", "cleaner.max_bytes=1024", "-")
	if code != 1 || !strings.Contains(errs, "too large") {
		t.Errorf("exit %d, stderr %q; want 1 and a size error", code, errs)
	}
}
