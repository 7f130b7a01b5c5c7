package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/store"
)

// exportDBWith is exportDB with a chosen store configuration.
func exportDBWith(t *testing.T, c *exporttest.Corpus, cfg store.Config) string {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "wirecrawl.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := exporttest.Load(ctx, st, c); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// noCardNextTo fails if any card was written next to path.
func noCardNextTo(t *testing.T, path string) {
	t.Helper()
	if left, _ := filepath.Glob(path + ".card*"); len(left) != 0 {
		t.Errorf("a card was written next to %s: %v", path, left)
	}
}

// A FIFO is written through: its reader gets the whole export, the FIFO
// stays a FIFO and no card goes next to it.
func TestExportToFIFO(t *testing.T) {
	c := &exporttest.Corpus{N: 12, Paragraphs: 1}
	dsn := exportDB(t, c)
	fifo := filepath.Join(t.TempDir(), "stories")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// keep holds the FIFO open for writing (O_RDWR does not block on Linux),
	// so that the reader's open returns at once and its read ends when keep
	// and the export's own handle are closed, even when the export never
	// opens the FIFO (then the reader gets nothing).
	keep, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(fifo) // does not wait: keep is a writer
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	got := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(reader); got <- b }()
	code, _, stderr := runExportCmd(t, dsn, "--out", fifo)
	keep.Close()
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := jsonlLines(t, bytes.NewReader(<-got))
	if want := c.Expect(export.Filter{}); int64(len(recs)) != want.Stories {
		t.Errorf("the FIFO's reader got %d stories, want %d", len(recs), want.Stories)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v, %v", fi.Mode(), err)
	}
	noCardNextTo(t, fifo)
}

// /proc/self/fd/N (what /dev/stdout points to) is written through.
func TestExportToProcFD(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	c := &exporttest.Corpus{N: 5, Paragraphs: 1}
	dsn := exportDB(t, c)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(r); got <- b }()
	out := "/proc/self/fd/" + itoa(int(w.Fd()))
	code, _, stderr := runExportCmd(t, dsn, "--out", out, "--format", "jsonl")
	w.Close()
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if recs := jsonlLines(t, bytes.NewReader(<-got)); len(recs) != 5 {
		t.Errorf("the pipe got %d stories, want 5", len(recs))
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// Character devices are written through, never replaced: a copy of
// /dev/null takes the export, a copy of /dev/full fails it with its error
// (exit 1); both stay devices and get no card. Needs root (mknod).
func TestExportToDevice(t *testing.T) {
	c := &exporttest.Corpus{N: 5, Paragraphs: 1}
	dsn := exportDB(t, c)
	dir := t.TempDir()
	null, full := filepath.Join(dir, "null"), filepath.Join(dir, "full")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(mkdev(1, 3))); err != nil {
		t.Skipf("mknod (needs root): %v", err)
	}
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, int(mkdev(1, 7))); err != nil {
		t.Skipf("mknod: %v", err)
	}
	if code, _, stderr := runExportCmd(t, dsn, "--out", null); code != 0 {
		t.Errorf("--out null: exit %d: %s", code, stderr)
	}
	code, _, stderr := runExportCmd(t, dsn, "--out", full)
	if code != exitFailure || !strings.Contains(stderr, "no space left on device") {
		t.Errorf("--out full: exit %d, %q; want exit 1 with the device's error", code, stderr)
	}
	for _, p := range []string{null, full} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("%s was replaced: %v, %v", p, fi.Mode(), err)
		}
		noCardNextTo(t, p)
	}
	// An explicit --card on a device goes through too.
	if code, _, stderr := runExportCmd(t, dsn, "--out", filepath.Join(dir, "x.jsonl"), "--card", null); code != 0 {
		t.Errorf("--card null: exit %d: %s", code, stderr)
	}
	if fi, err := os.Lstat(null); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("--card replaced the device: %v", err)
	}
}

func mkdev(major, minor uint32) uint64 {
	return uint64(major)<<8 | uint64(minor)
}

// A symbolic link is followed: the regular file it names is replaced (its
// permissions kept), the link stays a link; a link to nothing, a socket and
// a block device are refused and left alone.
func TestExportThroughSymlink(t *testing.T) {
	c := &exporttest.Corpus{N: 7, Paragraphs: 1}
	dsn := exportDB(t, c)
	dir := t.TempDir()
	real := filepath.Join(dir, "real.jsonl")
	if err := os.WriteFile(real, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runExportCmd(t, dsn, "--out", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v", err)
	}
	b, _ := os.ReadFile(real)
	if recs := jsonlLines(t, bytes.NewReader(b)); len(recs) != 7 {
		t.Errorf("the link's target holds %d stories, want 7", len(recs))
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode became %v, want 0600 kept", fi.Mode().Perm())
	}
	if _, err := os.Stat(link + ".card.json"); err != nil {
		t.Errorf("no card next to the link: %v", err)
	}

	dangling := filepath.Join(dir, "dangling.jsonl")
	if err := os.Symlink(filepath.Join(dir, "missing", "x.jsonl"), dangling); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock.jsonl")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, p := range []string{dangling, sock} {
		code, _, stderr := runExportCmd(t, dsn, "--out", p)
		if code != exitUsage || !strings.Contains(stderr, p) {
			t.Errorf("--out %s: exit %d, %q; want a usage error naming it", p, code, stderr)
		}
		noCardNextTo(t, p)
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the dangling link was replaced: %v", err)
	}
	if fi, err := os.Lstat(sock); err != nil || fi.Mode()&fs.ModeSocket == 0 {
		t.Errorf("the socket was replaced: %v", err)
	}
}

// An --out extension that names no format is refused (exit 2, no file, no
// database opened) unless --format says what to write.
func TestExportRefusesUnknownExtension(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "never-created.db")
	for _, name := range []string{"x.csv", "x.csv.gz", "x.out", "x.json"} {
		out := filepath.Join(dir, name)
		code, _, stderr := runExportCmd(t, dsn, "--out", out)
		if code != exitUsage || !strings.Contains(stderr, "not an export extension") {
			t.Errorf("--out %s: exit %d, %q; want exit 2 naming the extension", name, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--out %s was written", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never-created.db")); err == nil {
		t.Error("a usage error created the database")
	}
	c := &exporttest.Corpus{N: 3, Paragraphs: 1}
	out := filepath.Join(t.TempDir(), "x.csv")
	if code, _, stderr := runExportCmd(t, exportDB(t, c), "--out", out, "--format", "jsonl"); code != 0 {
		t.Errorf("--format jsonl --out x.csv: exit %d: %s", code, stderr)
	}
}

// An export that wrote nothing of what was asked for exits 1 with the
// reason and leaves no file: a WARC without raw responses, --copies without
// copy texts.
func TestExportShortfallExitsOne(t *testing.T) {
	c := &exporttest.Corpus{N: 6, Paragraphs: 1}
	dsn := exportDBWith(t, c, store.Config{RawHTML: false, KeepCopyText: false})
	dir := t.TempDir()
	for _, tc := range []struct {
		args   []string
		reason string
	}{
		{[]string{"--out", filepath.Join(dir, "x.warc.gz")}, "store.raw_html"},
		{[]string{"--out", filepath.Join(dir, "x.jsonl"), "--copies"}, "store.keep_copy_text"},
		{[]string{"--out", filepath.Join(dir, "x.parquet"), "--copies"}, "store.keep_copy_text"},
	} {
		code, _, stderr := runExportCmd(t, dsn, tc.args...)
		if code != exitFailure || !strings.Contains(stderr, tc.reason) {
			t.Errorf("export %v: exit %d, %q; want exit 1 naming %s", tc.args, code, stderr, tc.reason)
		}
		if _, err := os.Stat(tc.args[1]); err == nil {
			t.Errorf("export %v left a file", tc.args)
		}
		noCardNextTo(t, tc.args[1])
	}
	// Without --copies the same store exports fine.
	if code, _, stderr := runExportCmd(t, dsn, "--out", filepath.Join(dir, "y.jsonl")); code != 0 {
		t.Errorf("plain export: exit %d: %s", code, stderr)
	}
}
