package store

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrBadQuery is wrapped by every error ParseQuery returns: the query's
// syntax is wrong (an unclosed quote, nothing to search for), which is the
// user's to fix, never a store failure.
var ErrBadQuery = errors.New("bad search query")

// Limits of a query, so that one request cannot make the store expand a
// huge expression.
const (
	maxQueryLen   = 1000
	maxQueryTerms = 16
	minPrefixLen  = 3
)

// Query is a parsed full-text query: every term must match (AND), none of
// the excluded ones may. It is what the store's full-text index is asked,
// the same on SQLite (FTS5) and PostgreSQL (tsquery).
//
// Syntax: words (storm coast), "quoted phrases" (words next to each other,
// in order), -word or -"phrase" to exclude, and word* for words starting
// with word (at least 3 letters). Matching ignores case; letters and digits
// make words, everything else separates them (so e-mail is the phrase
// "e mail"). There is no OR and no grouping: a bare OR, AND or NOT, or a
// parenthesis outside quotes, is an error rather than a word to match.
type Query struct {
	terms []queryTerm
}

// queryTerm is one word, prefix or phrase, possibly excluded.
type queryTerm struct {
	words  []string // lower case, letters and digits only
	prefix bool     // the single word is a prefix
	not    bool
}

// ParseQuery parses a full-text query; errors wrap ErrBadQuery and say
// what to change.
func ParseQuery(s string) (Query, error) {
	var q Query
	if len(s) > maxQueryLen {
		return q, fmt.Errorf("%w: longer than %d bytes", ErrBadQuery, maxQueryLen)
	}
	rest := s
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			break
		}
		var (
			t   queryTerm
			raw string
		)
		if rest[0] == '-' {
			t.not = true
			rest = rest[1:]
			if rest == "" || unicode.IsSpace(rune(rest[0])) {
				return q, fmt.Errorf("%w: a '-' must be followed by the word or \"phrase\" to exclude", ErrBadQuery)
			}
		}
		if rest[0] == '"' {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return q, fmt.Errorf("%w: unclosed quote in %q (a phrase is \"between double quotes\")", ErrBadQuery, rest)
			}
			raw, rest = rest[1:1+end], rest[2+end:]
			if strings.HasPrefix(rest, "*") {
				return q, fmt.Errorf("%w: '*' follows a word, not a \"phrase\"", ErrBadQuery)
			}
		} else {
			end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(rest)
			}
			raw, rest = rest[:end], rest[end:]
			switch {
			case raw == "OR" || raw == "AND" || raw == "NOT":
				return q, fmt.Errorf("%w: %s is not an operator here: every word must match, -word excludes one (quote \"%s\" to search for it)",
					ErrBadQuery, raw, raw)
			case strings.ContainsAny(raw, "()"):
				return q, fmt.Errorf("%w: %q: parentheses do not group (every word must match); quote them to search for the words", ErrBadQuery, raw)
			}
			if strings.HasSuffix(raw, "*") {
				t.prefix = true
				raw = strings.TrimRight(raw, "*")
			}
		}
		t.words = queryWords(raw)
		if len(t.words) == 0 {
			if t.prefix || t.not {
				return q, fmt.Errorf("%w: %q has no letters or digits to search for", ErrBadQuery, raw)
			}
			continue // punctuation alone, as the index ignores it
		}
		if t.prefix {
			if len(t.words) > 1 {
				return q, fmt.Errorf("%w: %q: '*' ends a single word (no punctuation inside)", ErrBadQuery, raw+"*")
			}
			if n := len([]rune(t.words[0])); n < minPrefixLen {
				return q, fmt.Errorf("%w: %q: a prefix needs at least %d letters", ErrBadQuery, raw+"*", minPrefixLen)
			}
		}
		q.terms = append(q.terms, t)
		if len(q.terms) > maxQueryTerms {
			return q, fmt.Errorf("%w: more than %d words and phrases", ErrBadQuery, maxQueryTerms)
		}
	}
	for _, t := range q.terms {
		if !t.not {
			return q, nil
		}
	}
	if len(q.terms) == 0 {
		return q, fmt.Errorf("%w: no words to search for", ErrBadQuery)
	}
	return q, fmt.Errorf("%w: only excluded words; add a word to search for", ErrBadQuery)
}

// isWordRune says whether r belongs to a word: letters, digits and marks
// (FTS5's unicode61 tokenizer and PostgreSQL's parser split on the rest).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

// queryWords splits s into lower-case words.
func queryWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) })
}

// fts5 is q as an FTS5 MATCH expression: each term a quoted phrase (words
// hold no quotes), prefixes marked with *, excluded terms after NOT.
func (q Query) fts5() string {
	var pos, neg []string
	for _, t := range q.terms {
		e := `"` + strings.Join(t.words, " ") + `"`
		if t.prefix {
			e += "*"
		}
		if t.not {
			neg = append(neg, e)
		} else {
			pos = append(pos, e)
		}
	}
	e := "(" + strings.Join(pos, " AND ") + ")"
	for _, n := range neg {
		e += " NOT " + n
	}
	return e
}

// tsquery is q as PostgreSQL to_tsquery text: quoted lexemes (words hold
// no quotes or backslashes), phrases joined with <->, prefixes :*,
// exclusions !, all joined with &.
func (q Query) tsquery() string {
	parts := make([]string, 0, len(q.terms))
	for _, t := range q.terms {
		ws := make([]string, len(t.words))
		for i, w := range t.words {
			ws[i] = "'" + w + "'"
		}
		e := strings.Join(ws, " <-> ")
		if t.prefix {
			e += ":*"
		}
		if len(ws) > 1 {
			e = "(" + e + ")"
		}
		if t.not {
			e = "!" + e
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, " & ")
}

// tsqueryLiteral is q as a PostgreSQL expression with the tsquery text as a
// literal, not a parameter: the planner then sees how common its words
// are (a parameter, in a cached generic plan, looks as common as any and
// sent rare words down the ID index, reading every story). The text is
// quoted words of letters, digits and marks and operators, so doubling
// quotes is all the escaping it needs.
func (q Query) tsqueryLiteral() string {
	return "to_tsquery('simple', '" + strings.ReplaceAll(q.tsquery(), "'", "''") + "')"
}

// String is the query in its own syntax, normalised.
func (q Query) String() string {
	parts := make([]string, 0, len(q.terms))
	for _, t := range q.terms {
		e := strings.Join(t.words, " ")
		if len(t.words) > 1 {
			e = `"` + e + `"`
		}
		if t.prefix {
			e += "*"
		}
		if t.not {
			e = "-" + e
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, " ")
}
