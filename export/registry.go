package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// formatSpec is everything export knows about one format. Adding a format is
// one entry in formats (and its writer).
type formatSpec struct {
	format Format
	// extensions select the format from a file name (before any compression
	// extension), lower case with the dot.
	extensions []string
	// compressions are the outer compressions the format takes besides None.
	compressions []Compression
	// refuseCompression says why another compression is refused; one %s, the extension.
	refuseCompression string
	// write streams the stories in the format.
	write func(ctx context.Context, src Source, w io.Writer, opts Options) (Counts, error)
	// shortfall says what was asked for and not written, given the counts
	// (nil for a format that writes whatever it is given).
	shortfall func(Counts) error
}

// formats is the table of export formats; the first is the default.
var formats = []formatSpec{
	{
		format: JSONL, extensions: []string{".jsonl", ".ndjson"},
		compressions: []Compression{Gzip, Zstd},
		write:        writeJSONL,
	},
	{
		format: Parquet, extensions: []string{".parquet"},
		refuseCompression: "parquet is compressed internally; drop the %s extension",
		write:             writeParquet,
	},
	{
		format: WARC, extensions: []string{".warc"},
		compressions:      []Compression{Gzip},
		refuseCompression: "WARC files are compressed with gzip per record (.warc.gz), not %s",
		write:             writeWARC,
		shortfall: func(c Counts) error {
			if c.Copies > 0 && c.WARCResponses == 0 {
				return fmt.Errorf("%w: the WARC has no response record: none of the %d copies has a stored raw response (crawl with store.raw_html: true to keep them)",
					ErrShortfall, c.Copies)
			}
			return nil
		},
	},
}

// compressionExtensions map a file name's last extension to its compression.
var compressionExtensions = map[string]Compression{".gz": Gzip, ".gzip": Gzip, ".zst": Zstd, ".zstd": Zstd}

// ErrShortfall marks an export that finished but wrote nothing of something
// it was asked for (see Shortfall).
var ErrShortfall = errors.New("export: nothing written of what was asked")

// Formats lists the export formats, the default first.
func Formats() []Format {
	out := make([]Format, len(formats))
	for i, s := range formats {
		out[i] = s.format
	}
	return out
}

// Extensions lists the file name extensions that select a format, e.g. ".parquet".
func Extensions() []string {
	var out []string
	for _, s := range formats {
		out = append(out, s.extensions...)
	}
	return out
}

func specOf(f Format) (*formatSpec, bool) {
	for i := range formats {
		if formats[i].format == f {
			return &formats[i], true
		}
	}
	return nil, false
}

// ParseFormat checks a --format value; "" means the default, JSONL.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if f == "" {
		return formats[0].format, nil
	}
	if _, ok := specOf(f); ok {
		return f, nil
	}
	names := make([]string, len(formats))
	for i, s := range formats {
		names[i] = string(s.format)
	}
	return "", fmt.Errorf("format %q: want %s", s, orList(names))
}

// FormatForPath guesses the format from a file name, ignoring a compression
// extension: .parquet is Parquet, .warc WARC, .jsonl and .ndjson JSONL; ok is
// false when the name says nothing.
func FormatForPath(path string) (f Format, ok bool) {
	name := strings.ToLower(filepath.Base(path))
	if c, ok := compressionExtensions[filepath.Ext(name)]; ok && c != None {
		name = strings.TrimSuffix(name, filepath.Ext(name))
	}
	ext := filepath.Ext(name)
	for _, s := range formats {
		if slices.Contains(s.extensions, ext) {
			return s.format, true
		}
	}
	return "", false
}

// UnknownExtension returns the extension of path when it names neither a
// format nor a compression (".csv"), and "" otherwise: a path without an
// extension, or with one the table knows.
func UnknownExtension(path string) string {
	if path == "" {
		return ""
	}
	name := strings.ToLower(filepath.Base(path))
	if _, ok := FormatForPath(name); ok {
		return ""
	}
	ext := filepath.Ext(name)
	if _, ok := compressionExtensions[ext]; ok {
		ext = filepath.Ext(strings.TrimSuffix(name, ext))
	}
	if ext == "." {
		return ""
	}
	return ext
}

// CompressionForPath picks the outer compression of format f from the file
// name's extension (.gz, .zst), and rejects combinations that readers could
// not load: Parquet compresses its pages itself, and WARC is gzipped per record.
func CompressionForPath(f Format, path string) (Compression, error) {
	ext := strings.ToLower(filepath.Ext(path))
	c, ok := compressionExtensions[ext]
	if !ok {
		return None, nil
	}
	spec, ok := specOf(f)
	if !ok {
		return None, fmt.Errorf("unknown format %q", f)
	}
	if !slices.Contains(spec.compressions, c) {
		return None, fmt.Errorf("%s: "+spec.refuseCompression, path, ext)
	}
	return c, nil
}

// Shortfall says, wrapping ErrShortfall, what an export with opts that
// wrote counts was asked for and did not write: a WARC without a single
// response, or --copies when no copy had its own text stored. It is nil when
// the export is what was asked (an empty selection included).
func Shortfall(opts Options, counts Counts) error {
	f, err := ParseFormat(string(opts.Format))
	if err != nil {
		return err
	}
	spec, _ := specOf(f)
	if spec.shortfall != nil {
		if err := spec.shortfall(counts); err != nil {
			return err
		}
	}
	if opts.Copies && f != WARC && counts.Copies > 0 && counts.CopyTexts == 0 {
		return fmt.Errorf("%w: --copies: none of the %d copies has its own text stored (crawl with store.keep_copy_text: true to keep it)",
			ErrShortfall, counts.Copies)
	}
	return nil
}

func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
