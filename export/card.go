package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Card is a dataset card: what an export holds and how it was made, so that
// a corpus can be cited and reproduced. It is written as FILE.card.json next
// to the export.
type Card struct {
	// File is the export's file name (base name), empty for standard output.
	File string `json:"file,omitempty"`
	// Created is when the export finished.
	Created time.Time `json:"created"`
	// Version is the wirecrawl version that wrote it.
	Version string `json:"wirecrawl_version"`
	// Format and Compression describe the file.
	Format      Format      `json:"format"`
	Compression Compression `json:"compression,omitempty"`
	// Seeds are the seed files and URLs configured at export time, with each
	// readable file's sha256; Crawls has those of the crawls themselves.
	Seeds []Seed `json:"seeds"`
	// Crawls are the crawl configurations that made the data, as the crawls
	// recorded them (seeds, configuration, version), oldest first.
	Crawls []CrawlRun `json:"crawls,omitempty"`
	// ConfigSHA256 is the sha256 of the effective configuration as JSON (see HashConfig).
	ConfigSHA256 string `json:"config_sha256"`
	// Filter is the story selection.
	Filter CardFilter `json:"filter"`
	// CopyText says whether copies' own texts were included (--copies).
	CopyText bool `json:"copy_text"`
	// Counts are the stories, copies, duplicates merged, per site and language.
	Counts Counts `json:"counts"`
}

// CardFilter is a Filter as recorded in a card; empty fields select everything.
type CardFilter struct {
	// Since and Until are RFC 3339 UTC times: Since <= published < Until.
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
	// Site, Lang and Query are Filter.Site, Filter.Lang and Filter.Query.
	Site  string `json:"site,omitempty"`
	Lang  string `json:"lang,omitempty"`
	Query string `json:"query,omitempty"`
}

// NewCardFilter records f.
func NewCardFilter(f Filter) CardFilter {
	cf := CardFilter{Site: f.Site, Lang: f.Lang, Query: f.Query}
	if !f.Since.IsZero() {
		cf.Since = f.Since.UTC().Format(time.RFC3339Nano)
	}
	if !f.Until.IsZero() {
		cf.Until = f.Until.UTC().Format(time.RFC3339Nano)
	}
	return cf
}

// Seed is one configured seed: a file (with the sha256 of its content when it
// could be read) or a URL.
type Seed struct {
	// Source is the seed as configured: a file path or a URL.
	Source string `json:"source"`
	// SHA256 is the hex sha256 of the file's content; empty for URLs and
	// unreadable files.
	SHA256 string `json:"sha256,omitempty"`
}

// SeedRefs describes the configured seeds, hashing the ones that are readable
// files so that a card pins the seed lists used.
func SeedRefs(seeds []string) []Seed {
	out := make([]Seed, 0, len(seeds))
	for _, s := range seeds {
		ref := Seed{Source: s}
		if !strings.Contains(s, "://") {
			if sum, err := fileSHA256(s); err == nil {
				ref.SHA256 = sum
			}
		}
		out = append(out, ref)
	}
	return out
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashConfig is the hex sha256 of cfg marshalled as JSON (struct fields in
// declaration order, map keys sorted), the card's config_sha256.
func HashConfig(cfg any) (string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("export: hashing config: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// CardPath is where the card of the export file path goes: path + ".card.json".
func CardPath(path string) string { return path + ".card.json" }

// WriteCard writes card to path as a Target (a regular file is replaced
// atomically, a device or FIFO written through): as Markdown when path ends
// in .md, else as indented JSON.
func WriteCard(path string, card Card) error {
	var b []byte
	if strings.EqualFold(filepath.Ext(path), ".md") {
		b = []byte(card.Markdown())
	} else {
		j, err := json.MarshalIndent(card, "", "  ")
		if err != nil {
			return fmt.Errorf("export: card: %w", err)
		}
		b = append(j, '\n')
	}
	t, err := CreateTarget(path)
	if err != nil {
		return fmt.Errorf("export: card: %w", err)
	}
	if _, err := t.Write(b); err != nil {
		t.Abort()
		return fmt.Errorf("export: card: %w", err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("export: card: %w", err)
	}
	return nil
}

// Markdown renders the card for people: what, when, how, and the counts.
func (c Card) Markdown() string {
	var b strings.Builder
	c.mdHeader(&b)
	c.Counts.mdCounts(&b, c.Format)
	c.mdCrawls(&b)
	b.WriteString("\n## Seeds\n\n")
	if len(c.Seeds) == 0 {
		b.WriteString("(none recorded)\n")
	}
	for _, s := range c.Seeds {
		if s.SHA256 != "" {
			fmt.Fprintf(&b, "- `%s` (sha256 `%s`)\n", s.Source, s.SHA256)
		} else {
			fmt.Fprintf(&b, "- `%s`\n", s.Source)
		}
	}
	return b.String()
}

// mdHeader writes the card's title and what, when and how it was made.
func (c Card) mdHeader(b *strings.Builder) {
	name := c.File
	if name == "" {
		name = "(standard output)"
	}
	fmt.Fprintf(b, "# Dataset card: %s\n\n", name)
	format := string(c.Format)
	if c.Compression != None {
		format += ", " + string(c.Compression)
	}
	fmt.Fprintf(b, "- Created: %s\n", c.Created.UTC().Format(time.RFC3339))
	fmt.Fprintf(b, "- wirecrawl version: %s\n", c.Version)
	fmt.Fprintf(b, "- Format: %s\n", format)
	fmt.Fprintf(b, "- Config sha256: `%s`\n", c.ConfigSHA256)
	var filter []string
	for _, f := range []struct{ k, v string }{{"since", c.Filter.Since}, {"until", c.Filter.Until}, {"site", c.Filter.Site},
		{"lang", c.Filter.Lang}, {"query", c.Filter.Query}} {
		if f.v != "" {
			filter = append(filter, f.k+" "+f.v)
		}
	}
	if len(filter) == 0 {
		filter = []string{"none (every stored story)"}
	}
	fmt.Fprintf(b, "- Filter: %s\n", strings.Join(filter, ", "))
	fmt.Fprintf(b, "- Copies' own texts included: %v\n\n", c.CopyText)
}

// mdCounts writes the counts, the WARC's when format is WARC, and the
// tables of sites (most copies first) and languages (most stories first).
func (n Counts) mdCounts(b *strings.Builder, format Format) {
	b.WriteString("## Counts\n\n| stories | copies (URLs) | duplicates merged |\n|---:|---:|---:|\n")
	fmt.Fprintf(b, "| %d | %d | %d |\n\n", n.Stories, n.Copies, n.DuplicatesMerged)
	if format == WARC {
		fmt.Fprintf(b, "WARC: %d records, %d responses; %d copies had no stored raw response", n.WARCRecords, n.WARCResponses, n.CopiesWithoutRaw)
		if n.WARCSkipped > 0 {
			fmt.Fprintf(b, ", %d were skipped (no http(s) URL)", n.WARCSkipped)
		}
		b.WriteString(".\n\n")
	}
	sites := make([]string, 0, len(n.Sites))
	for s := range n.Sites {
		sites = append(sites, s)
	}
	sort.Slice(sites, func(i, j int) bool {
		a, z := n.Sites[sites[i]], n.Sites[sites[j]]
		if a.Copies != z.Copies {
			return a.Copies > z.Copies
		}
		return sites[i] < sites[j]
	})
	b.WriteString("## Sites\n\n| site | stories | copies |\n|---|---:|---:|\n")
	for _, s := range sites {
		fmt.Fprintf(b, "| %s | %d | %d |\n", mdCell(s), n.Sites[s].Stories, n.Sites[s].Copies)
	}
	langs := make([]string, 0, len(n.Languages))
	for l := range n.Languages {
		langs = append(langs, l)
	}
	sort.Slice(langs, func(i, j int) bool {
		if n.Languages[langs[i]] != n.Languages[langs[j]] {
			return n.Languages[langs[i]] > n.Languages[langs[j]]
		}
		return langs[i] < langs[j]
	})
	b.WriteString("\n## Languages\n\n| language | stories |\n|---|---:|\n")
	for _, l := range langs {
		fmt.Fprintf(b, "| %s | %d |\n", mdCell(l), n.Languages[l])
	}
}

// mdCrawls writes the table of the crawls that made the data, if any.
func (c Card) mdCrawls(b *strings.Builder) {
	if len(c.Crawls) == 0 {
		return
	}
	b.WriteString("\n## Crawls that made the data\n\n| command | version | first run | last run | runs | config sha256 | seeds |\n|---|---|---|---|---:|---|---|\n")
	for _, r := range c.Crawls {
		seeds := make([]string, len(r.Seeds))
		for i, s := range r.Seeds {
			seeds[i] = s.Source
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d | `%s` | %s |\n", mdCell(r.Command), mdCell(r.Version),
			r.FirstRun.UTC().Format(time.RFC3339), r.LastRun.UTC().Format(time.RFC3339), r.Runs, r.ConfigSHA256, mdCell(strings.Join(seeds, ", ")))
	}
}

// mdCell escapes a value for a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ").Replace(s)
}

// CrawlRun is one crawl configuration that made the data: recorded by the
// crawl itself (wirecrawl crawl, ingest, demo), so that a card names the
// seeds and settings of the crawl, not those of the export.
type CrawlRun struct {
	// Command is the wirecrawl command that ran (crawl, ingest, demo).
	Command string `json:"command"`
	// Version is the wirecrawl version that ran it.
	Version string `json:"wirecrawl_version"`
	// Seeds are the seed files (with their sha256 at crawl time) and URLs;
	// for ingest, the URLs given.
	Seeds []Seed `json:"seeds"`
	// Config is the effective configuration as JSON, an object of dotted
	// keys ("crawler.user_agent") as config.yaml names them, passwords removed.
	Config json.RawMessage `json:"config"`
	// ConfigSHA256 is the sha256 of Config.
	ConfigSHA256 string `json:"config_sha256"`
	// FirstRun and LastRun bound the runs with this configuration; Runs counts them.
	FirstRun time.Time `json:"first_run"`
	LastRun  time.Time `json:"last_run"`
	Runs     int64     `json:"runs"`
}

// CrawlRunSource is implemented by a Source that records the crawls that
// filled it (the store does); the card lists them.
type CrawlRunSource interface {
	// CrawlRuns lists the recorded crawl runs, oldest first.
	CrawlRuns(ctx context.Context) ([]CrawlRun, error)
}
