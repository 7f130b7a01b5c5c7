package export_test

import (
	"testing"

	"github.com/wirecrawl/wirecrawl/export"
)

func TestUnknownExtension(t *testing.T) {
	for path, want := range map[string]string{
		"x.csv": ".csv", "x.CSV.gz": ".csv", "dir.jsonl/x.out": ".out", "x.json": ".json",
		"x.jsonl": "", "x.ndjson.zst": "", "x.parquet": "", "x.warc.gz": "", "x": "", "x.gz": "", "": "", "/dev/stdout": "",
	} {
		if got := export.UnknownExtension(path); got != want {
			t.Errorf("UnknownExtension(%q) = %q, want %q", path, got, want)
		}
	}
}

// Every format of the table parses by name, is chosen by each of its
// extensions, and writes.
func TestEveryFormatIsReachable(t *testing.T) {
	exts := map[export.Format]int{}
	for _, ext := range export.Extensions() {
		f, ok := export.FormatForPath("x" + ext)
		if !ok {
			t.Errorf("extension %s selects no format", ext)
		}
		exts[f]++
	}
	for _, f := range export.Formats() {
		if got, err := export.ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
		if exts[f] == 0 {
			t.Errorf("format %s has no extension", f)
		}
	}
	if f, err := export.ParseFormat(""); err != nil || f != export.JSONL {
		t.Errorf("default format %q, %v", f, err)
	}
}
