package store

// Config configures what the store keeps. Its zero value works.
type Config struct {
	// RawHTML keeps each fetched page's raw body (needed for WARC export).
	RawHTML bool `yaml:"raw_html"`
}
