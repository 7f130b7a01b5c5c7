package dedup

import "fmt"

// Match is the comparison of two bodies.
type Match struct {
	// Distance is the simhash Hamming distance.
	Distance int
	// Containment is the share of the smaller text's shingles found in the larger.
	Containment float64
	// Resemblance is the Jaccard similarity of the shingle sets.
	Resemblance float64
	// Unquoted is Containment without the words either text has inside
	// quotation marks (equal to it when neither quotes anything): shared
	// quotations alone do not make one story (see quotes.go).
	Unquoted float64
	// Opening is the larger share of either text's opening paragraph found
	// in the other's first paragraphs (its head: see headParas).
	Opening float64
	// Mutual is the smaller of the two openings' shares: both texts open
	// alike when it is high (see judge).
	Mutual float64
	// LedeBelow: the smaller text's opening is in the other text, but not
	// in its head (see ledeBelow).
	LedeBelow bool
	// Rest is Containment outside both openings (see bodyContainment):
	// what the two texts share besides a lede.
	Rest float64
	// Exact is true when the normalised bodies are identical.
	Exact bool
	// Verified is true when the two bodies are versions of one story.
	Verified bool
	// Why says which rule matched or failed.
	Why string
}

// Compare compares two bodies as Decide compares a document with a stored
// story's canonical text.
func (d *Deduper) Compare(a, b string) Match {
	fa, fb := d.fingerprint(a), d.fingerprint(b)
	return d.compare(&fa, &fb)
}

func (d *Deduper) compare(a, b *fingerprint) Match {
	a.prepare()
	b.prepare()
	m := Match{Distance: Distance(a.simhash, b.simhash)}
	if a.content == b.content {
		m.Exact, m.Verified, m.Containment, m.Resemblance, m.Opening, m.Unquoted, m.Rest = true, true, 1, 1, 1, 1, 1
		m.Why = "exact copy of the normalised body"
		return m
	}
	la, lb := len(a.sh32), len(b.sh32)
	if la == 0 || lb == 0 {
		m.Why = "empty body"
		return m
	}
	common := intersect32(a.sh32, b.sh32)
	m.Containment = float64(common) / float64(min(la, lb))
	m.Resemblance = float64(common) / float64(la+lb-common)
	oa, ob := 0.0, 0.0
	if len(a.op32) > 0 {
		oa = float64(intersectHead(a.op32, b.sh32, b.head)) / float64(len(a.op32))
	}
	if len(b.op32) > 0 {
		ob = float64(intersectHead(b.op32, a.sh32, a.head)) / float64(len(b.op32))
	}
	m.Opening, m.Mutual = max(oa, ob), min(oa, ob)
	m.Rest = bodyContainment(a, b)
	m.LedeBelow = ledeBelow(a, b)
	m.Unquoted = m.Containment
	if u, ok := unquotedContainment(a, b); ok {
		m.Unquoted = u
	}
	d.judge(&m, min(a.words, b.words))
	return m
}

// judge applies the thresholds to m. Containment alone (without the same
// opening) is enough only when it holds without the quotations too: a
// follow-up that repeats its parent's quotes and background paragraph
// contains most of a short parent, but not outside the quotes, and opens
// with its own lede.
func (d *Deduper) judge(m *Match, words int) {
	c := d.cfg
	sameOpening := m.Opening >= c.LedeContainment
	switch {
	case words < c.MinWords:
		m.Why = fmt.Sprintf("too short to compare (%d words)", words)
	case m.Containment >= c.StrongContainment && sameOpening && m.Rest >= minRest:
		m.Verified = true
		m.Why = fmt.Sprintf("containment %.2f >= %.2f and same opening (%.2f)", m.Containment, c.StrongContainment, m.Opening)
	case m.Containment >= c.StrongContainment && m.Unquoted >= c.StrongContainment && !m.LedeBelow:
		m.Verified = true
		m.Why = fmt.Sprintf("containment %.2f, unquoted %.2f >= %.2f", m.Containment, m.Unquoted, c.StrongContainment)
	case m.Containment >= c.Containment && sameOpening && m.Rest >= minRest && (words >= briefWords || m.Mutual >= c.LedeContainment):
		m.Verified = true
		m.Why = fmt.Sprintf("containment %.2f >= %.2f and same opening (%.2f)", m.Containment, c.Containment, m.Opening)
	case m.Containment >= c.Containment && c.NearDistance >= 0 && m.Distance <= c.NearDistance:
		m.Verified = true
		m.Why = fmt.Sprintf("containment %.2f >= %.2f and simhash distance %d <= %d", m.Containment, c.Containment, m.Distance, c.NearDistance)
	default:
		m.Why = fmt.Sprintf("containment %.2f (unquoted %.2f, outside the openings %.2f), opening %.2f, distance %d: below thresholds", m.Containment, m.Unquoted, m.Rest, m.Opening, m.Distance)
	}
}
