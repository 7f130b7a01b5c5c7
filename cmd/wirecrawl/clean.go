package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/cleaner"
)

// cleanOutput is the --json form of one cleaned page.
type cleanOutput struct {
	URL          string            `json:"url"`
	CanonicalURL string            `json:"canonical_url"`
	Title        string            `json:"title"`
	Byline       string            `json:"byline"`
	Published    string            `json:"published"`
	Lang         string            `json:"lang"`
	Site         string            `json:"site"`
	Description  string            `json:"description"`
	Text         string            `json:"text"`
	Paragraphs   []string          `json:"paragraphs"`
	Meta         map[string]string `json:"meta,omitempty"`
}

// cleanCommand is `wirecrawl clean [--url URL] [--json] FILE|-`.
func (a *app) cleanCommand() *cobra.Command {
	var pageURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "clean [--url URL] [--json] FILE|-",
		Short: "Print the article text of one HTML page",
		Long: `Reads one HTML page from FILE (or standard input for "-") and prints the
article body as plain text, paragraphs separated by a blank line: no headline,
byline, dateline, share widgets, captions, related links or other boilerplate.

With --json it prints one object: url, canonical_url, title, byline,
published (RFC 3339, empty when unknown), lang, site, description, text and
paragraphs.

A page with no article (empty, binary, a login wall, only boilerplate) exits
with status 1 and a one-line reason on standard error.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("clean: want one FILE or -, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			name := args[0]
			body, err := a.readPage(name, cfg.Cleaner.MaxBytes)
			if err != nil {
				return err
			}
			doc, err := cleaner.New(cfg.Cleaner).Clean(body, pageURL, "")
			if err != nil {
				return fmt.Errorf("clean %s: %w", displayName(name), err)
			}
			if !asJSON {
				_, err = io.WriteString(a.stdout, doc.Text+"\n")
				return err
			}
			out := cleanOutput{
				URL: doc.URL, CanonicalURL: doc.CanonicalURL, Title: doc.Title, Byline: doc.Byline,
				Lang: doc.Lang, Site: doc.Site, Description: doc.Description, Text: doc.Text,
				Paragraphs: doc.Paragraphs, Meta: doc.Meta,
			}
			if !doc.Published.IsZero() {
				out.Published = doc.Published.Format(time.RFC3339)
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	cmd.Flags().StringVar(&pageURL, "url", "", "the page's address, for relative links, canonical URL and site name")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object with the metadata and the text")
	return cmd
}

// readPage reads FILE or, for "-", standard input, refusing more than the
// cleaner's size limit without reading it all.
func (a *app) readPage(name string, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = cleaner.DefaultMaxBytes
	}
	var r io.Reader
	if name == "-" {
		r = a.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("clean: %w", err)
		}
		defer f.Close()
		r = f
	}
	body, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("clean %s: read: %w", displayName(name), err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("clean %s: %w: more than %d bytes", displayName(name), cleaner.ErrTooLarge, maxBytes)
	}
	return body, nil
}

func displayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}
