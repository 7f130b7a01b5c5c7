package store

import "fmt"

// Config configures what the store keeps. Its zero value works.
type Config struct {
	// RawHTML keeps each fetched page's raw HTTP response (needed for WARC export).
	RawHTML bool `yaml:"raw_html"`
	// KeepCopyText keeps every copy's own body text, not only the story's
	// canonical text (more disk, lets exports show each outlet's edit).
	KeepCopyText bool `yaml:"keep_copy_text"`
	// FetchLogKeep is how many of the latest fetch-log entries to keep; older
	// ones are pruned as new ones arrive. 0 means DefaultFetchLogKeep, -1 keeps all.
	FetchLogKeep int `yaml:"fetch_log_keep"`
}

// DefaultFetchLogKeep is the fetch-log length kept when FetchLogKeep is 0.
const DefaultFetchLogKeep = 100000

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.FetchLogKeep == 0 {
		c.FetchLogKeep = DefaultFetchLogKeep
	}
	return c
}

// Validate checks the configuration; errors name the bad key.
func (c *Config) Validate() error {
	if c.FetchLogKeep < -1 {
		return fmt.Errorf("fetch_log_keep: must be -1 (keep all), 0 (default %d) or more, got %d", DefaultFetchLogKeep, c.FetchLogKeep)
	}
	return nil
}

// fetchLogKeep is the number of fetch-log entries to keep, 0 for all.
func (c Config) fetchLogKeep() int64 {
	switch {
	case c.FetchLogKeep == 0:
		return DefaultFetchLogKeep
	case c.FetchLogKeep < 0:
		return 0
	}
	return int64(c.FetchLogKeep)
}
