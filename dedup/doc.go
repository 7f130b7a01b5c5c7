// Package dedup decides, before storage, whether a cleaned document is a new
// story, a copy of a stored story (a syndicated or updated version), or an
// unchanged refetch of a stored URL.
//
// # How a document is decided
//
//  1. Normalise the body (Document.Text only; headline and byline fields are
//     never looked at): paragraphs that are bylines ("By X, Associated
//     Press"), agency credits, editor's notes, update notices, "X contributed
//     to this report", copyright lines and reference lines ("Read more:
//     <headline>", a related-stories heading and its headlines: short
//     paragraphs that are not sentences, in a body that has sentences; see
//     reflines.go) are dropped, a leading dateline
//     ("WASHINGTON (AP) — ", "HANOI, Vietnam (AP) — ", "Dekalb, Ill. — ") is
//     stripped, and words are lower-cased and hashed as they are scanned,
//     eight bytes at a time, with a fixed 64-bit hash (tokenHash in
//     normalize.go: no seed, so fingerprints are stable across processes and
//     runs; TestTokenHashStable pins it).
//  2. Fingerprint: a content hash of the normalised words (exact copies
//     short-circuit on it), a 64-bit simhash over word 3-shingles, and the
//     shingle set for verification.
//  3. Keys for candidate lookup (Decision.Keys, stored under the story):
//     the content key; Bands simhash band keys (rotating 32-bit windows with
//     the band number folded in, Manku-style permuted tables: any two
//     fingerprints within distance 1 share one, most within 2 do); one key per
//     opening paragraph (its minimum 6-word-shingle hash) and the bottom-k
//     6-word-shingle hashes. The last two find trimmed, extended and reworded
//     copies whose simhash moved far: on the evaluation corpora true copies
//     are typically 5-25 bits apart, so simhash bands alone find only the
//     near-identical ones. Keys are 6-word shingles so that common phrases do
//     not nominate half the index. The two low bits of a key name its family
//     (KeyFamily), so an index can keep band tables apart.
//  4. Nominate with a bounded cost (Index.Nominate): a key that more than
//     KeyLimit stories share is a stop key (a boilerplate sentence, a lede
//     formula) and nominates nothing; stories first seen before Window are
//     left out. The index returns what it keeps per story (simhash, content
//     hash, length, keys matched), no text; the MaxCandidates stories that
//     match the most keys, then the nearest by simhash, are verified, their
//     fingerprints taken from a cache keyed by content hash (Cache entries; a
//     new or canonical document is cached as it is decided) and their texts
//     read (Index.Texts) only when missing. So the cost of a decision does
//     not grow with the index or with how many stories share a sentence.
//  5. Verify each of those stories against its canonical text: containment (share of the smaller text's
//     3-shingles found in the larger, so trimmed and extended versions
//     match), the same without the words inside quotation marks
//     (Match.Unquoted: stories on one topic quote the same people), and the
//     opening check (share of either text's opening paragraph found in the
//     other's head, its first three paragraphs or first half). A story
//     matches when containment >= StrongContainment and the openings agree
//     or the unquoted containment is as high, or containment >= Containment
//     and the openings agree (>= LedeContainment) or the simhashes are within
//     NearDistance. So a follow-up that repeats two quotes and the background
//     paragraph of a short story, under its own lede, is another story. The
//     best match (highest containment, then resemblance, then oldest story)
//     wins; only stories verified with both containments >= StrongContainment
//     are merged.
//  6. Canonical policy: most_complete (default: the version with the most
//     normalised words is canonical; a later, longer update replaces it),
//     first, or latest (by published time). "Most complete" is one
//     definition (MoreComplete, KeepsCanonical) that merges use too.
//
// # Limits
//
// A document is compared only with each story's canonical text (the Index
// contract returns one text per story). A copy that matches another version
// of a story but not its current canonical starts a new story; when a later
// version verifies against both stories, Decision.Merge asks the store to
// merge them, so order independence is approximate, not exact
// (TestOrderIndependence bounds it). The thresholds and what they cost are
// measured by BenchmarkMeasureSweep and the quality tests; the numbers live
// there and in the README.
//
// What dedup does not do: it does not store anything (the store implements
// Index and records the Decision in the same transaction as the page), and it
// does not look at titles, bylines or URLs except to recognise a refetched URL.
package dedup
