package crawler

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// maxSeedFileBytes bounds one seed file.
const maxSeedFileBytes = 32 << 20

// ReadSeeds expands seed entries into URLs. An entry that is an http(s) URL
// passes through; any other entry is a file: either OPML (what feed readers
// export; every outline's xmlUrl, else htmlUrl) or plain text with one URL per
// line, "#" comments (whole-line or trailing after whitespace) and blank lines.
// URLs are normalised and deduplicated, in first-seen order. A line that is not
// an http(s) URL is an error naming the file and line.
func ReadSeeds(paths []string) ([]string, error) {
	var out []string
	seen := make(map[string]bool)
	add := func(u string) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, p := range paths {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if looksLikeURL(p) {
			n, err := NormalizeURL(p)
			if err != nil {
				return nil, fmt.Errorf("seed %q: %w", p, err)
			}
			add(n)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("read seeds: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, maxSeedFileBytes+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read seeds %s: %w", p, err)
		}
		if len(data) > maxSeedFileBytes {
			return nil, fmt.Errorf("read seeds %s: file larger than %d bytes", p, maxSeedFileBytes)
		}
		urls, err := parseSeeds(data)
		if err != nil {
			return nil, fmt.Errorf("read seeds %s: %w", p, err)
		}
		for _, u := range urls {
			add(u)
		}
	}
	return out, nil
}

func looksLikeURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// quoteStart quotes the first 60 bytes of a seed line, marking a cut.
func quoteStart(s string) string {
	const keep = 60
	if len(s) <= keep {
		return fmt.Sprintf("%q", s)
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q...", s[:cut])
}

// parseSeeds parses one seed file's content (OPML or text lines) into
// normalised URLs.
func parseSeeds(data []byte) ([]string, error) {
	trim := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if bytes.HasPrefix(trim, []byte("<")) {
		return parseOPML(trim)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "#") || s == "" {
			continue
		}
		if i := strings.Index(s, " #"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		} else if i := strings.Index(s, "\t#"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		// A file that is not a seed list (seeds=/etc/shadow) must not be
		// echoed: its line is quoted (only its start) once an earlier line
		// was a URL, or when the line itself starts like one.
		if !looksLikeURL(s) && len(out) == 0 {
			return nil, fmt.Errorf("line %d is not an http(s) URL: the file does not look like a seed list (one URL per line, # comments, or OPML)", line)
		}
		if fs := strings.Fields(s); len(fs) > 1 {
			return nil, fmt.Errorf("line %d: more than one field", line)
		}
		if !looksLikeURL(s) {
			return nil, fmt.Errorf("line %d: %s is not an http(s) url", line, quoteStart(s))
		}
		n, err := NormalizeURL(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", line, quoteStart(s), ErrBadURL)
		}
		out = append(out, n)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}

// parseOPML returns the feed URLs of an OPML document: each outline's xmlUrl,
// or its htmlUrl (a home page) when it has no xmlUrl. Outlines whose URL is not
// http(s) are skipped.
func parseOPML(data []byte) ([]string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.CharsetReader = charsetReader
	var out []string
	sawOPML := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("opml: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch strings.ToLower(se.Name.Local) {
		case "opml":
			sawOPML = true
		case "outline":
			var xmlURL, htmlURL string
			for _, a := range se.Attr {
				switch strings.ToLower(a.Name.Local) {
				case "xmlurl":
					xmlURL = strings.TrimSpace(a.Value)
				case "htmlurl":
					htmlURL = strings.TrimSpace(a.Value)
				}
			}
			u := xmlURL
			if u == "" {
				u = htmlURL
			}
			if !looksLikeURL(u) {
				continue
			}
			if n, err := NormalizeURL(u); err == nil {
				out = append(out, n)
			}
		}
	}
	if !sawOPML {
		return nil, errors.New("opml: no <opml> element")
	}
	return out, nil
}
