// Package export streams stories from the store as JSONL, Parquet or WARC, with
// a dataset card describing the corpus.
//
// It reads through Source (source.go), which the store implements: stories in
// ID order with their copies, and the raw HTTP responses kept when
// store.raw_html is on. Write turns them into one of three formats. The
// source is read on its own goroutine at most 32 stories ahead of the
// encoder, and Parquet holds one row group, so memory stays bounded whatever
// the corpus size:
//
//   - JSONL: one Record per line; gzip or zstd as a whole stream.
//   - Parquet: the same Record per row, typed columns (timestamps as
//     TIMESTAMP(MICROS, UTC), copies as a LIST of structs), ZSTD pages, row
//     groups cut every Options.RowGroupRows rows or RowGroupBytes of text.
//     DuckDB reads it as is.
//   - WARC 1.1 (written with github.com/nlnwa/gowarc): a warcinfo record, then
//     for every copy with a stored raw response a reconstructed GET request,
//     the response (body stored decoded, so Content-Encoding and
//     Transfer-Encoding are dropped and Content-Length recomputed) and the
//     copy's clean text as a conversion record that refers to the response.
//     With gzip, each record is its own gzip member (.warc.gz). warcio reads it.
//
// Every exported story lists all its URLs (Record.Copies, the canonical one
// included), so each stored URL appears in exactly one story. Counts tallies
// what was written, per site and language, for the dataset Card that the
// command writes next to the export (WriteCard, CardPath).
//
// The package does not open the store, choose file names or draw progress
// bars: cmd/wirecrawl does, calling Write with an io.Writer and an OnStory
// callback. Package exporttest provides a generated Source for tests and
// benchmarks.
package export
