package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/wirecrawl/wirecrawl"
)

// writeJSONL writes one Record per line, optionally through gzip or zstd.
func writeJSONL(ctx context.Context, src Source, w io.Writer, opts Options) (Counts, error) {
	var counts Counts
	bw := bufio.NewWriterSize(w, 256<<10)
	var out io.Writer = bw
	var closer io.Closer
	switch opts.Compression {
	case None:
	case Gzip:
		zw := gzip.NewWriter(bw)
		out, closer = zw, zw
	case Zstd:
		zw, err := zstd.NewWriter(bw, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return counts, fmt.Errorf("export: zstd: %w", err)
		}
		out, closer = zw, zw
	default:
		return counts, fmt.Errorf("export: unknown compression %q", opts.Compression)
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	err := walk(ctx, src, opts, &counts, false, func(s *wirecrawl.Story, _ []rawResult) error {
		rec := NewRecord(s, opts.Copies)
		if err := enc.Encode(&rec); err != nil {
			return fmt.Errorf("writing story %d: %w", s.ID, err)
		}
		return nil
	})
	if closer != nil {
		if cerr := closer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("export: closing %s stream: %w", opts.Compression, cerr)
		}
	}
	if ferr := bw.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("export: writing: %w", ferr)
	}
	return counts, err
}
