// Package export streams stories from the store as JSONL, Parquet or WARC, with
// a dataset card describing the corpus.
package export
