package store

// Config configures what the store keeps. Its zero value works.
type Config struct {
	// RawHTML keeps each fetched page's raw HTTP response (needed for WARC export).
	RawHTML bool `yaml:"raw_html"`
	// KeepCopyText keeps every copy's own body text, not only the story's
	// canonical text (more disk, lets exports show each outlet's edit).
	KeepCopyText bool `yaml:"keep_copy_text"`
}
