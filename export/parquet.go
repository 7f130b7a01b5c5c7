package export

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/wirecrawl/wirecrawl"
)

// parquetBatch is how many rows are handed to the Parquet writer at once.
const parquetBatch = 128

// writeParquet writes one Record per row: typed columns (timestamps as
// TIMESTAMP(MICROS, UTC)), copies as a LIST of structs, zstd-compressed
// pages, one row group per RowGroupRows rows or RowGroupBytes of text.
func writeParquet(ctx context.Context, src Source, w io.Writer, opts Options) (Counts, error) {
	var counts Counts
	maxRows := opts.RowGroupRows
	if maxRows <= 0 {
		maxRows = DefaultRowGroupRows
	}
	codec, err := newZstdCodec()
	if err != nil {
		return counts, fmt.Errorf("export: %w", err)
	}
	defer codec.close()
	pw := parquet.NewGenericWriter[Record](w,
		parquet.Compression(codec),
		&parquet.WriterConfig{CreatedBy: createdBy(opts.Software)},
		parquet.KeyValueMetadata("wirecrawl.format", "stories/v1"),
	)
	batch := make([]Record, 0, parquetBatch)
	var groupRows, groupBytes int
	flushBatch := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := pw.Write(batch); err != nil {
			return fmt.Errorf("writing parquet rows: %w", err)
		}
		clear(batch)
		batch = batch[:0]
		if groupRows >= maxRows || groupBytes >= RowGroupBytes {
			if err := pw.Flush(); err != nil {
				return fmt.Errorf("writing parquet row group: %w", err)
			}
			groupRows, groupBytes = 0, 0
		}
		return nil
	}
	err = walk(ctx, src, opts, &counts, false, func(s *wirecrawl.Story, _ []rawResult) error {
		rec := NewRecord(s, opts.Copies)
		batch = append(batch, rec)
		groupRows++
		groupBytes += recordBytes(&rec)
		if len(batch) == cap(batch) || groupRows >= maxRows || groupBytes >= RowGroupBytes {
			return flushBatch()
		}
		return nil
	})
	if err != nil {
		return counts, err
	}
	if err := flushBatch(); err != nil {
		return counts, fmt.Errorf("export: %w", err)
	}
	if err := pw.Close(); err != nil {
		return counts, fmt.Errorf("export: closing parquet file: %w", err)
	}
	return counts, nil
}

// createdBy formats "name/version" as Parquet's created_by convention,
// "name version version" (parquet.CreatedBy would add an empty "(build )").
func createdBy(software string) string {
	name, ver, ok := strings.Cut(software, "/")
	if !ok || ver == "" {
		return name
	}
	return name + " version " + ver
}

// recordBytes approximates the bytes a record adds to a row group's buffers.
func recordBytes(r *Record) int {
	n := len(r.URL) + len(r.Title) + len(r.Byline) + len(r.Site) + len(r.Lang) + len(r.Text) + len(r.FirstPublisher) + 64
	for i := range r.Copies {
		c := &r.Copies[i]
		n += len(c.URL) + len(c.Site) + len(c.Title) + len(c.Byline) + len(c.Reason) + 48
		if c.Text != nil {
			n += len(*c.Text)
		}
	}
	return n
}

// zstdCodec is a ZSTD page codec with one encoder and a 1 MiB window. Pages
// are far smaller than that, so nothing is lost, while parquet-go's own codec
// keeps a pool of encoders with 8 MiB windows (over 30 MB of heap).
type zstdCodec struct {
	mu  sync.Mutex
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newZstdCodec() (*zstdCodec, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20),
		zstd.WithZeroFrames(true), zstd.WithEncoderCRC(false))
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return &zstdCodec{enc: enc}, nil
}

func (c *zstdCodec) String() string { return "ZSTD" }

func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enc.EncodeAll(src, dst[:0]), nil
}

func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dec == nil {
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return dst, fmt.Errorf("zstd: %w", err)
		}
		c.dec = dec
	}
	return c.dec.DecodeAll(src, dst[:0])
}

func (c *zstdCodec) close() {
	c.enc.Close()
	if c.dec != nil {
		c.dec.Close()
	}
}
