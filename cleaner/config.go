package cleaner

import "errors"

// Defaults used when a Config field is zero.
const (
	// DefaultMaxBytes is the largest page Clean accepts (8 MiB).
	DefaultMaxBytes = 8 << 20
	// DefaultMinTextLength is the shortest body, in characters, that counts as an article.
	DefaultMinTextLength = 150
	// DefaultMaxElements is the most HTML elements a page may have (100,000;
	// the dev corpus's largest page has 1,587).
	DefaultMaxElements = 100_000
)

// Config configures the cleaner. Its zero value works: every zero field means
// the documented default.
type Config struct {
	// MaxBytes is the largest page, in bytes, that Clean parses; larger pages
	// are refused with ErrTooLarge. 0 means DefaultMaxBytes (8 MiB).
	MaxBytes int64 `yaml:"max_bytes"`
	// MinTextLength is the shortest article body, in characters, that is
	// returned as it is; a shorter one is ErrNoContent unless it reads as an
	// article (a brief: 8 words or more, 6 of them in one paragraph).
	// 0 means DefaultMinTextLength (150).
	MinTextLength int `yaml:"min_text_length"`
	// MaxElements is the most HTML elements a page may have; a page with
	// more is refused with ErrTooLarge, since extraction time grows with the
	// element count (0.3 to 2.3 s for 100,000 on one core, by markup). 0 means
	// DefaultMaxElements.
	MaxElements int `yaml:"max_elements"`
}

// Validate checks the fields; an error starts with the bad key.
func (c Config) Validate() error {
	if c.MaxBytes < 0 {
		return errors.New("max_bytes: must be >= 0")
	}
	if c.MinTextLength < 0 {
		return errors.New("min_text_length: must be >= 0")
	}
	if c.MaxElements < 0 {
		return errors.New("max_elements: must be >= 0")
	}
	return nil
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MinTextLength <= 0 {
		c.MinTextLength = DefaultMinTextLength
	}
	if c.MaxElements <= 0 {
		c.MaxElements = DefaultMaxElements
	}
	return c
}
