package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/cleaner"
)

// cleanOutput is the --json form of one cleaned page. In a batch, Path names
// the input and a bad input has only Path and Error.
type cleanOutput struct {
	Path         string            `json:"path,omitempty"`
	Error        string            `json:"error,omitempty"`
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
	Explain      *explainOutput    `json:"explain,omitempty"`
}

// cleanErrorOutput is the --json line of an input that gave no article.
type cleanErrorOutput struct {
	Path    string         `json:"path"`
	Error   string         `json:"error"`
	Explain *explainOutput `json:"explain,omitempty"`
}

// explainOutput is the --json form of cleaner.Explanation.
type explainOutput struct {
	PageChars int             `json:"page_chars"`
	Source    string          `json:"source"`
	Verdict   string          `json:"verdict"`
	Pruned    []prunedOutput  `json:"pruned"`
	Blocks    []explainBlockO `json:"blocks"`
}

type prunedOutput struct {
	Element string  `json:"element"`
	Rule    string  `json:"rule"`
	Chars   int     `json:"chars"`
	Share   float64 `json:"share"`
	Text    string  `json:"text"`
}

type explainBlockO struct {
	Text  string  `json:"text"`
	Kept  bool    `json:"kept"`
	Rule  string  `json:"rule,omitempty"`
	Share float64 `json:"share"`
}

// cleanOptions are the flags of the clean command.
type cleanOptions struct {
	pageURL   string
	asJSON    bool
	explain   bool
	workers   int
	inputList string
}

// cleanCommand is `wirecrawl clean [--url URL] [--json] [--explain]
// [--workers N] [--input-file LIST] FILE|DIR|-...`.
func (a *app) cleanCommand() *cobra.Command {
	var o cleanOptions
	cmd := &cobra.Command{
		Use:   "clean [--url URL] [--json] [--explain] [--workers N] [--input-file LIST] FILE|DIR|-...",
		Short: "Print the article text of HTML pages",
		Long: `Reads HTML pages and prints each article body as plain text, paragraphs
separated by a blank line: no headline, byline, dateline, share widgets,
captions, related links or other boilerplate.

Inputs are files (gzip-compressed ones are read as such, by their bytes),
directories (every regular file below them, in name order, hidden files
left out), "-" for standard input, and the files listed one per line in
--input-file LIST ("#" starts a comment). With one input the text is
printed as is; with several, each text follows a "==> PATH <==" line.

With --json each input gives one line of JSON (JSONL): path, url,
canonical_url, title, byline, published (RFC 3339, empty when unknown), lang,
site, description, text and paragraphs; an input without an article gives
{"path", "error"}.

With --explain the report says which elements were pruned before the
content search and which paragraphs were kept or dropped, each with the
rule and its share of the page's text; with --json it is the "explain" field.

--workers N cleans N inputs at once (default: one per core); the output
keeps the order of the inputs.

An input with no article (empty, binary, a login wall, only boilerplate)
is reported with a one-line reason on standard error (or its JSON line) and
the others are still cleaned; the exit status is then 1.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 && o.inputList == "" {
				return usageError{fmt.Errorf("clean: want one FILE, DIR or -, or --input-file LIST")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.workers < 0 || o.workers > 1024 {
				return usageError{fmt.Errorf("clean: --workers %d: want 1 to 1024 (0 means one per core)", o.workers)}
			}
			if o.workers == 0 {
				o.workers = runtime.GOMAXPROCS(0)
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			return a.cleanInputs(cmd.Context(), cleaner.New(cfg.Cleaner), cfg.Cleaner.MaxBytes, args, o)
		},
	}
	cmd.Flags().StringVar(&o.pageURL, "url", "", "the page's address, for relative links, canonical URL and site name")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print one JSON object per input (JSONL) with the metadata and the text")
	cmd.Flags().BoolVar(&o.explain, "explain", false, "report which elements were pruned and which paragraphs kept or dropped, and why")
	cmd.Flags().IntVar(&o.workers, "workers", 0, "inputs cleaned at once (0: one per core)")
	cmd.Flags().StringVar(&o.inputList, "input-file", "", "a file listing the inputs, one per line")
	return cmd
}

// jsonLine renders one input's result as a JSONL line.
func jsonLine(path string, doc wirecrawl.Document, ex *cleaner.Explanation, cerr error) ([]byte, error) {
	var v any
	if cerr != nil {
		v = cleanErrorOutput{Path: path, Error: cerr.Error(), Explain: explainJSON(ex)}
	} else {
		out := cleanOutput{
			Path: path, URL: doc.URL, CanonicalURL: doc.CanonicalURL, Title: doc.Title, Byline: doc.Byline,
			Lang: doc.Lang, Site: doc.Site, Description: doc.Description, Text: doc.Text,
			Paragraphs: doc.Paragraphs, Meta: doc.Meta, Explain: explainJSON(ex),
		}
		if !doc.Published.IsZero() {
			out.Published = doc.Published.Format(time.RFC3339)
		}
		v = out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("clean %s: encode: %w", path, err)
	}
	return append(b, '\n'), nil
}

func explainJSON(ex *cleaner.Explanation) *explainOutput {
	if ex == nil {
		return nil
	}
	out := &explainOutput{PageChars: ex.PageChars, Source: ex.Source, Verdict: ex.Verdict,
		Pruned: []prunedOutput{}, Blocks: []explainBlockO{}}
	for _, p := range ex.Pruned {
		out.Pruned = append(out.Pruned, prunedOutput{p.Element, p.Rule, p.Chars, p.Share, p.Text})
	}
	for _, b := range ex.Blocks {
		out.Blocks = append(out.Blocks, explainBlockO{b.Text, b.Kept, b.Rule, b.Share})
	}
	return out
}

// explainText renders an explanation for people: one line per pruned
// element (with text) and per paragraph, then the verdict.
func explainText(w io.Writer, ex *cleaner.Explanation) {
	fmt.Fprintf(w, "page text: %d characters\n", ex.PageChars)
	for _, p := range ex.Pruned {
		if p.Chars == 0 {
			continue
		}
		fmt.Fprintf(w, "pruned  %5.1f%%  %-22s %s  %s\n", 100*p.Share, p.Rule, p.Element, snippet(p.Text, 70))
	}
	if ex.Source != "" {
		fmt.Fprintf(w, "content: %s\n", ex.Source)
	}
	for _, b := range ex.Blocks {
		if b.Kept {
			fmt.Fprintf(w, "kept    %5.1f%%  %-22s %s\n", 100*b.Share, "", snippet(b.Text, 90))
		} else {
			fmt.Fprintf(w, "dropped %5.1f%%  %-22s %s\n", 100*b.Share, b.Rule, snippet(b.Text, 90))
		}
	}
	fmt.Fprintf(w, "verdict: %s\n", ex.Verdict)
}

// snippet quotes the start of s, at most n characters.
func snippet(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return fmt.Sprintf("%q...", string(r[:n]))
	}
	return fmt.Sprintf("%q", s)
}
