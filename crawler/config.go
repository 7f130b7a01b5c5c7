package crawler

// Config configures the crawler. Its zero value works: every zero field means
// the documented default.
type Config struct {
	// UserAgent is sent with every request; it should name a contact URL.
	UserAgent string `yaml:"user_agent"`
}

// Validate checks the fields; an error starts with the bad key.
func (c Config) Validate() error { return nil }
