package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl/export/exporttest"
)

// demo --db onto a database that holds stories is refused (exit 2, nothing
// crawled) unless --append; a new database is crawled.
func TestDemoRefusesNonEmptyDB(t *testing.T) {
	dsn := exportDB(t, &exporttest.Corpus{N: 4, Paragraphs: 1})
	small := []string{"--stories", "12", "--outlets", "2"}
	code, out, errOut := runCLI(t, nil, append([]string{"demo", "--db", dsn}, small...)...)
	if code != exitUsage || !strings.Contains(errOut, "--append") || strings.Contains(out, "Crawling") {
		t.Fatalf("demo onto a used database: exit %d, stderr %q, crawled: %v; want exit 2 naming --append", code, errOut, strings.Contains(out, "Crawling"))
	}
	code, out, errOut = runCLI(t, nil, append([]string{"demo", "--db", dsn, "--append"}, small...)...)
	if code != 0 || !strings.Contains(out, "Crawling") {
		t.Fatalf("demo --append: exit %d, stderr %q", code, errOut)
	}
	fresh := filepath.Join(t.TempDir(), "demo.db")
	if code, _, errOut := runCLI(t, nil, append([]string{"demo", "--db", fresh}, small...)...); code != 0 {
		t.Fatalf("demo onto a new database: exit %d, stderr %q", code, errOut)
	}
	// Once crawled, the same database is refused too.
	if code, _, _ := runCLI(t, nil, append([]string{"demo", "--db", fresh}, small...)...); code != exitUsage {
		t.Fatalf("demo a second time onto its own database: exit %d, want %d", code, exitUsage)
	}
}
