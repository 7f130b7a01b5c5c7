package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/frontier"
)

// index implements dedup.Index on the read pool, or inside the transaction
// of a SavePage.
type index struct {
	s *db
	r run
}

// lookupChunk bounds the keys bound to one query.
const lookupChunk = 500

func (ix index) Lookup(ctx context.Context, keys []uint64) ([]dedup.Candidate, error) {
	ks := slices.Clone(keys)
	slices.Sort(ks)
	ks = slices.Compact(ks)
	seen := map[int64]bool{}
	var out []dedup.Candidate
	for len(ks) > 0 {
		chunk := ks[:min(len(ks), lookupChunk)]
		ks = ks[len(chunk):]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = int64(k)
		}
		rows, err := ix.r.query(ctx, `SELECT id, simhash, text, words, published FROM stories
			WHERE id IN (SELECT DISTINCT story_id FROM dedup_keys WHERE key IN (`+placeholders(len(chunk))+`)) ORDER BY id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: lookup: %w", err)
		}
		for rows.Next() {
			var (
				c       dedup.Candidate
				sh, pub int64
			)
			if err := rows.Scan(&c.StoryID, &sh, &c.Text, &c.Length, &pub); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: lookup: %w", err)
			}
			c.Simhash, c.Published = uint64(sh), fromNanos(pub)
			if !seen[c.StoryID] {
				seen[c.StoryID] = true
				out = append(out, c)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: lookup: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b dedup.Candidate) int { return cmp.Compare(a.StoryID, b.StoryID) })
	return out, nil
}

// Nominate returns the stories sharing q's keys with their fingerprint
// data from dedup_stories, without their texts; see dedup.Index. Each key
// reads at most KeyLimit+1 entries of dedup_keys (the newest stories'), so
// a key shared by many stories costs no more than one shared by few.
func (ix index) Nominate(ctx context.Context, q dedup.Query) (dedup.Nomination, error) {
	var nom dedup.Nomination
	ks := slices.Clone(q.Keys)
	slices.Sort(ks)
	ks = slices.Compact(ks)
	matched := map[int64]int{}
	for len(ks) > 0 {
		chunk := ks[:min(len(ks), nominateChunk)]
		ks = ks[len(chunk):]
		var (
			sb   strings.Builder
			args []any
		)
		for i, k := range chunk {
			if i > 0 {
				sb.WriteString(" UNION ALL ")
			}
			fmt.Fprintf(&sb, "SELECT key, story_id FROM (SELECT key, story_id FROM dedup_keys WHERE key = ? ORDER BY story_id DESC")
			args = append(args, int64(k))
			if q.KeyLimit > 0 {
				sb.WriteString(" LIMIT ?")
				args = append(args, q.KeyLimit+1)
			}
			fmt.Fprintf(&sb, ") k%d", i)
		}
		rows, err := ix.r.query(ctx, sb.String(), args...)
		if err != nil {
			return nom, fmt.Errorf("store: nominate: %w", err)
		}
		perKey := map[int64][]int64{}
		for rows.Next() {
			var k, id int64
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return nom, fmt.Errorf("store: nominate: %w", err)
			}
			perKey[k] = append(perKey[k], id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nom, fmt.Errorf("store: nominate: %w", err)
		}
		for _, ids := range perKey {
			if q.KeyLimit > 0 && len(ids) > q.KeyLimit {
				nom.StopKeys++
				continue
			}
			for _, id := range ids {
				matched[id]++
			}
		}
	}
	if len(matched) == 0 {
		return nom, nil
	}
	ids := make([]int64, 0, len(matched))
	for id := range matched {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	since := int64(0)
	if !q.Since.IsZero() {
		since = q.Since.UnixNano()
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), lookupChunk)]
		ids = ids[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, since)
		rows, err := ix.r.query(ctx, `SELECT story_id, simhash, content_hash, words, published, first_seen FROM dedup_stories
			WHERE story_id IN (`+placeholders(len(chunk))+`) AND first_seen >= ? ORDER BY story_id`, args...)
		if err != nil {
			return nom, fmt.Errorf("store: nominate: %w", err)
		}
		for rows.Next() {
			var (
				c                dedup.Candidate
				sh, ch, pub, fst int64
			)
			if err := rows.Scan(&c.StoryID, &sh, &ch, &c.Length, &pub, &fst); err != nil {
				rows.Close()
				return nom, fmt.Errorf("store: nominate: %w", err)
			}
			c.Simhash, c.ContentHash, c.Published, c.FirstSeen = uint64(sh), uint64(ch), fromNanos(pub), fromNanos(fst)
			c.Matched = matched[c.StoryID]
			nom.Candidates = append(nom.Candidates, c)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nom, fmt.Errorf("store: nominate: %w", err)
		}
	}
	return nom, nil
}

// nominateChunk bounds the keys of one Nominate query (dedup sends about a
// dozen per page).
const nominateChunk = 64

// Texts returns the canonical texts of stories ids; see dedup.Index.
func (ix index) Texts(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), lookupChunk)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := ix.r.query(ctx, `SELECT id, text FROM stories WHERE id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: texts: %w", err)
		}
		for rows.Next() {
			var (
				id   int64
				text string
			)
			if err := rows.Scan(&id, &text); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: texts: %w", err)
			}
			out[id] = text
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: texts: %w", err)
		}
	}
	return out, nil
}

func (ix index) StoredURL(ctx context.Context, u string) (int64, uint64, bool, error) {
	var id, h int64
	err := ix.r.queryRow(ctx, `SELECT story_id, content_hash FROM copies WHERE url = ?`, u).Scan(&id, &h)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, false, nil
	case err != nil:
		return 0, 0, false, fmt.Errorf("store: stored url %s: %w", u, err)
	}
	return id, uint64(h), true, nil
}

// Lookup returns the stories sharing a key; see dedup.Index. Outside
// SavePage it reads the latest committed state.
func (s *db) Lookup(ctx context.Context, keys []uint64) ([]dedup.Candidate, error) {
	return index{s, s.in(nil)}.Lookup(ctx, keys)
}

// Nominate returns the stories sharing q's keys, without texts; see
// dedup.Index. Outside SavePage it reads the latest committed state.
func (s *db) Nominate(ctx context.Context, q dedup.Query) (dedup.Nomination, error) {
	return index{s, s.in(nil)}.Nominate(ctx, q)
}

// Texts returns the canonical texts of stories ids; see dedup.Index.
func (s *db) Texts(ctx context.Context, ids []int64) (map[int64]string, error) {
	return index{s, s.in(nil)}.Texts(ctx, ids)
}

// StoredURL reports the story url is stored under; see dedup.Index.
func (s *db) StoredURL(ctx context.Context, u string) (int64, uint64, bool, error) {
	return index{s, s.in(nil)}.StoredURL(ctx, u)
}

// SavePage stores one decided page in one transaction; see Store.
func (s *db) SavePage(ctx context.Context, decide func(ctx context.Context, idx dedup.Index) (Page, error)) (int64, dedup.Decision, error) {
	tx, err := s.beginLocked(ctx)
	if err != nil {
		return 0, dedup.Decision{}, fmt.Errorf("store: save page: begin: %w", err)
	}
	p, err := decide(ctx, index{s, s.in(tx)})
	if err != nil {
		_ = s.finish(ctx, tx, err)
		return 0, dedup.Decision{}, err
	}
	id, err := s.savePage(ctx, tx, &p)
	if err = s.finish(ctx, tx, err); err != nil {
		return 0, dedup.Decision{}, fmt.Errorf("store: save page %s: %w", p.Doc.URL, err)
	}
	return id, p.Decision, nil
}

// wordCount is a text's length in words, as dedup.Candidate.Length wants.
func wordCount(s string) int { return len(strings.Fields(s)) }

// docWords is the length recorded for doc as a canonical version: dedup's
// normalised word count (Decision.Words), or the text's when dedup gave none.
func docWords(doc *wirecrawl.Document, d *dedup.Decision) int {
	if d.Words > 0 {
		return d.Words
	}
	return wordCount(doc.Text)
}

// mergeStory merges story from into story to (Decision.Merge): from's copies,
// index keys and earlier versions move to to, to's first_seen becomes the
// earlier of the two, and from is deleted. The longer canonical (by words)
// becomes to's canonical unless keep is set (a new story's page stays
// canonical); the losing canonical is kept in story_versions. ok is false
// when from is to or no longer exists (nothing to merge).
func (s *db) mergeStory(ctx context.Context, tx *sql.Tx, to, from int64, keep bool, now int64) (ok bool, err error) {
	if from == to {
		return false, nil
	}
	r := s.in(tx)
	var toWords, fromWords int
	var fromFirst int64
	err = r.queryRow(ctx, `SELECT words, first_seen FROM stories WHERE id = ?`, from).Scan(&fromWords, &fromFirst)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("merge story %d: %w", from, err)
	}
	if err := r.queryRow(ctx, `SELECT words FROM stories WHERE id = ?`, to).Scan(&toWords); err != nil {
		return false, fmt.Errorf("merge story %d into %d: %w", from, to, err)
	}
	const version = `INSERT INTO story_versions (story_id, url, title, byline, published, site, lang, text,
		simhash, content_hash, words, replaced_at)
		SELECT CAST(? AS BIGINT), url, title, byline, published, site, lang, text, simhash, content_hash, words, CAST(? AS BIGINT) FROM stories WHERE id = ?`
	wins := !keep && dedup.MoreComplete(fromWords, toWords)
	loser := from
	if wins {
		loser = to
	}
	type step struct {
		what string
		q    string
		args []any
	}
	steps := []step{
		{"keep losing canonical", version, []any{to, now, loser}},
		{"move copies", `UPDATE copies SET story_id = ? WHERE story_id = ?`, []any{to, from}},
		{"move keys", `INSERT INTO dedup_keys (key, story_id) SELECT key, CAST(? AS BIGINT) FROM dedup_keys WHERE story_id = ? ON CONFLICT DO NOTHING`, []any{to, from}},
		{"drop old keys", `DELETE FROM dedup_keys WHERE story_id = ?`, []any{from}},
		{"move versions", `UPDATE story_versions SET story_id = ? WHERE story_id = ?`, []any{to, from}},
	}
	if wins {
		steps = append(steps, step{"take canonical", `UPDATE stories SET (url, title, byline, published, site, lang, text, simhash, content_hash, words) =
			(SELECT f.url, f.title, f.byline, CASE WHEN f.published = 0 THEN stories.published ELSE f.published END, f.site,
				CASE WHEN f.lang = '' THEN stories.lang ELSE f.lang END, f.text, f.simhash, f.content_hash, f.words
			FROM stories f WHERE f.id = ?) WHERE id = ?`, []any{from, to}})
	}
	steps = append(steps,
		step{"first seen", `UPDATE stories SET first_seen = CASE WHEN first_seen < ? THEN first_seen ELSE ? END, updated = ? WHERE id = ?`,
			[]any{fromFirst, fromFirst, now, to}},
		step{"delete merged story", `DELETE FROM stories WHERE id = ?`, []any{from}},
	)
	for _, st := range steps {
		if _, err := r.exec(ctx, st.q, st.args...); err != nil {
			return false, fmt.Errorf("merge story %d into %d: %s: %w", from, to, st.what, err)
		}
	}
	return true, nil
}

func (s *db) savePage(ctx context.Context, tx *sql.Tx, p *Page) (int64, error) {
	d := &p.Decision
	doc := &p.Doc
	if doc.URL == "" {
		return 0, errors.New("document has no URL")
	}
	now := time.Now().UnixNano()
	var (
		storyID int64
		fresh   bool // a story inserted by this page
		merged  int  // stories merged into storyID
	)
	// mergeAll merges the stories the page also verified against into
	// storyID before the page's own canonical claim is weighed, as
	// dedup.MemoryIndex.Add does: the most complete canonical wins.
	mergeAll := func(keep bool) error {
		for _, from := range d.Merge {
			ok, err := s.mergeStory(ctx, tx, storyID, from, keep, now)
			if err != nil {
				return err
			}
			if ok {
				merged++
			}
		}
		return nil
	}
	switch d.Action {
	case dedup.ActionUnchanged:
		storyID = d.StoryID
		if id, _, ok, err := (index{s, s.in(tx)}).StoredURL(ctx, doc.URL); err != nil {
			return 0, err
		} else if ok {
			storyID = id
		}
	case dedup.ActionNew:
		if err := s.maybePruneIndex(ctx, tx, d.WindowStart); err != nil {
			return 0, err
		}
		// A URL stored before as the only copy of its story is that story,
		// updated in place (a re-save keeps the story's ID); a URL that
		// shares its story with others moves to a new story.
		oldID, alone, err := s.copyStory(ctx, tx, doc.URL)
		if err != nil {
			return 0, err
		}
		if oldID != 0 && alone {
			storyID = oldID
			d.StoryID, d.Canonical = storyID, true
			if err := s.replaceCanonical(ctx, tx, storyID, doc, d, now, false); err != nil {
				return 0, err
			}
			// Its keys are the new text's alone.
			if _, err := s.in(tx).exec(ctx, `DELETE FROM dedup_keys WHERE story_id = ?`, storyID); err != nil {
				return 0, fmt.Errorf("replace keys: %w", err)
			}
			break
		}
		if oldID != 0 {
			if err := s.removeCopy(ctx, tx, oldID, doc.URL); err != nil {
				return 0, err
			}
		}
		err = s.in(tx).queryRow(ctx, `INSERT INTO stories (url, title, byline, published, site, lang, text, simhash,
			content_hash, words, first_publisher, first_seen, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			doc.URL, doc.Title, doc.Byline, nanos(doc.Published), doc.Site, doc.Lang, doc.Text, int64(d.Simhash),
			int64(d.ContentHash), docWords(doc, d), doc.Site, now, now).Scan(&storyID)
		if err != nil {
			return 0, fmt.Errorf("insert story: %w", err)
		}
		d.StoryID, d.Canonical, fresh = storyID, true, true
	case dedup.ActionCopy:
		storyID = d.StoryID
		var one int
		err := s.in(tx).queryRow(ctx, `SELECT 1 FROM stories WHERE id = ?`, storyID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("copy of story %d: no such story", storyID)
		} else if err != nil {
			return 0, err
		}
		// Merge first: the page's URL may be stored in a story it merges,
		// whose text then competes for canonical instead of being dropped
		// with that story when the URL moves.
		if err := mergeAll(false); err != nil {
			return 0, err
		}
		oldID, _, err := s.copyStory(ctx, tx, doc.URL)
		if err != nil {
			return 0, err
		}
		if oldID != 0 && oldID != storyID {
			if err := s.removeCopy(ctx, tx, oldID, doc.URL); err != nil {
				return 0, err
			}
		}
	default:
		return 0, fmt.Errorf("unknown dedup action %q", d.Action)
	}

	if d.Action == dedup.ActionNew {
		// dedup never asks a new story to merge others; MemoryIndex keeps
		// the page canonical if it does.
		if err := mergeAll(true); err != nil {
			return 0, err
		}
	}
	if d.Action == dedup.ActionCopy && d.Canonical {
		var words int
		if len(d.Merge) > 0 {
			if err := s.in(tx).queryRow(ctx, `SELECT words FROM stories WHERE id = ?`, storyID).Scan(&words); err != nil {
				return 0, fmt.Errorf("story %d length: %w", storyID, err)
			}
		}
		if dedup.KeepsCanonical(*d, docWords(doc, d), words) {
			if err := s.replaceCanonical(ctx, tx, storyID, doc, d, now, true); err != nil {
				return 0, err
			}
		}
	}

	if d.Action != dedup.ActionUnchanged {
		if err := s.upsertCopy(ctx, tx, storyID, doc, d, now); err != nil {
			return 0, err
		}
		if err := s.addKeys(ctx, tx, storyID, d.Keys); err != nil {
			return 0, err
		}
		if !fresh || merged > 0 { // a fresh story got its first publisher on insert
			if err := s.updateFirstPublisher(ctx, tx, storyID); err != nil {
				return 0, err
			}
		}
		if s.cfg.RawHTML && p.Raw != nil {
			if err := s.saveRaw(ctx, tx, p.Raw, doc.URL); err != nil {
				return 0, err
			}
		}
	}
	urls := []string{doc.URL}
	if p.FrontierURL != "" && p.FrontierURL != doc.URL {
		urls = append(urls, p.FrontierURL)
		slices.Sort(urls) // lock order, as in Enqueue
	}
	for _, u := range urls {
		if err := s.finishTx(ctx, tx, u, frontier.KindArticle, stateDone, ""); err != nil {
			return 0, fmt.Errorf("frontier %s: %w", u, err)
		}
	}
	return storyID, nil
}

// indexPruneEvery is how often (in new stories) SavePage prunes the index
// of stories that fell out of the dedup window, and indexPruneBatch how many
// it prunes at most each time.
var (
	indexPruneEvery int64 = 256
	indexPruneBatch       = 1024
	indexPruneCount atomic.Int64
)

// maybePruneIndex drops, every indexPruneEvery-th new story, the dedup keys
// and per-story fingerprint rows of up to indexPruneBatch stories first
// seen before windowStart (Decision.WindowStart): dedup no longer nominates
// them, so they would only make the index larger. Their stories, copies and
// texts stay.
func (s *db) maybePruneIndex(ctx context.Context, tx *sql.Tx, windowStart time.Time) error {
	if windowStart.IsZero() || indexPruneCount.Add(1)%indexPruneEvery != 0 {
		return nil
	}
	_, err := s.pruneIndex(ctx, tx, windowStart, indexPruneBatch)
	return err
}

// pruneIndex drops the index entries of at most limit stories first seen
// before t and reports how many stories it pruned.
func (s *db) pruneIndex(ctx context.Context, tx *sql.Tx, t time.Time, limit int) (int, error) {
	r := s.in(tx)
	rows, err := r.query(ctx, `SELECT story_id FROM dedup_stories WHERE first_seen < ? ORDER BY first_seen, story_id LIMIT ?`, t.UnixNano(), limit)
	if err != nil {
		return 0, fmt.Errorf("prune index: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("prune index: %w", err)
		}
		ids = append(ids, id)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return 0, fmt.Errorf("prune index: %w", err)
	}
	n := len(ids)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), lookupChunk)]
		ids = ids[len(chunk):]
		for _, q := range []string{`DELETE FROM dedup_keys WHERE story_id IN (`, `DELETE FROM dedup_stories WHERE story_id IN (`} {
			if _, err := r.exec(ctx, q+placeholders(len(chunk))+`)`, chunk...); err != nil {
				return 0, fmt.Errorf("prune index: %w", err)
			}
		}
	}
	return n, nil
}

// copyStory returns the story url is stored under (0 if none) and whether it
// is that story's only copy.
func (s *db) copyStory(ctx context.Context, tx *sql.Tx, u string) (id int64, alone bool, err error) {
	var n int64
	err = s.in(tx).queryRow(ctx, `SELECT c.story_id, (SELECT count(*) FROM copies o WHERE o.story_id = c.story_id)
		FROM copies c WHERE c.url = ?`, u).Scan(&id, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("find copy: %w", err)
	}
	return id, n == 1, nil
}

// removeCopy takes url out of story id, which it is moving away from. A story
// left without copies is deleted; one whose canonical URL left points at its
// most similar remaining copy (its canonical text stays).
func (s *db) removeCopy(ctx context.Context, tx *sql.Tx, id int64, u string) error {
	if _, err := s.in(tx).exec(ctx, `DELETE FROM copies WHERE url = ?`, u); err != nil {
		return fmt.Errorf("move copy: %w", err)
	}
	var next string
	err := s.in(tx).queryRow(ctx, `SELECT url FROM copies WHERE story_id = ? ORDER BY similarity DESC, id LIMIT 1`, id).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		for _, q := range []string{`DELETE FROM dedup_keys WHERE story_id = ?`, `DELETE FROM story_versions WHERE story_id = ?`, `DELETE FROM stories WHERE id = ?`} {
			if _, err := s.in(tx).exec(ctx, q, id); err != nil {
				return fmt.Errorf("delete emptied story %d: %w", id, err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("move copy: %w", err)
	}
	if _, err := s.in(tx).exec(ctx, `UPDATE stories SET url = ? WHERE id = ? AND url = ?`, next, id, u); err != nil {
		return fmt.Errorf("move copy: %w", err)
	}
	return s.updateFirstPublisher(ctx, tx, id)
}

// replaceCanonical makes doc the canonical version of story id, keeping the
// current one in story_versions when keep is true.
func (s *db) replaceCanonical(ctx context.Context, tx *sql.Tx, id int64, doc *wirecrawl.Document, d *dedup.Decision, now int64, keep bool) error {
	if keep {
		_, err := s.in(tx).exec(ctx, `INSERT INTO story_versions (story_id, url, title, byline, published, site, lang, text,
			simhash, content_hash, words, replaced_at)
			SELECT id, url, title, byline, published, site, lang, text, simhash, content_hash, words, ? FROM stories WHERE id = ?`, now, id)
		if err != nil {
			return fmt.Errorf("keep version of story %d: %w", id, err)
		}
	}
	_, err := s.in(tx).exec(ctx, `UPDATE stories SET url = ?, title = ?, byline = ?,
		published = CASE WHEN CAST(? AS BIGINT) = 0 THEN published ELSE CAST(? AS BIGINT) END, site = ?, lang = CASE WHEN ? = '' THEN lang ELSE ? END,
		text = ?, simhash = ?, content_hash = ?, words = ?, updated = ? WHERE id = ?`,
		doc.URL, doc.Title, doc.Byline, nanos(doc.Published), nanos(doc.Published), doc.Site, doc.Lang, doc.Lang,
		doc.Text, int64(d.Simhash), int64(d.ContentHash), docWords(doc, d), now, id)
	if err != nil {
		return fmt.Errorf("replace canonical of story %d: %w", id, err)
	}
	return nil
}

func (s *db) upsertCopy(ctx context.Context, tx *sql.Tx, id int64, doc *wirecrawl.Document, d *dedup.Decision, now int64) error {
	var text any
	if s.cfg.KeepCopyText {
		text = doc.Text
	}
	canon := doc.CanonicalURL
	if canon == "" {
		canon = doc.URL
	}
	fetched := doc.FetchedAt
	if fetched.IsZero() {
		fetched = time.Unix(0, now)
	}
	sim := d.Similarity
	if d.Action == dedup.ActionNew {
		sim = 1
	}
	_, err := s.in(tx).exec(ctx, `INSERT INTO copies (story_id, url, host, canonical_url, site, title, byline, published,
		fetched_at, lang, similarity, distance, containment, reason, simhash, content_hash, text, stored_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET story_id = excluded.story_id, host = excluded.host, canonical_url = excluded.canonical_url,
			site = excluded.site, title = excluded.title, byline = excluded.byline, published = excluded.published,
			fetched_at = excluded.fetched_at, lang = excluded.lang, similarity = excluded.similarity,
			distance = excluded.distance, containment = excluded.containment, reason = excluded.reason,
			simhash = excluded.simhash, content_hash = excluded.content_hash, text = excluded.text, stored_at = excluded.stored_at`,
		id, doc.URL, frontier.HostOf(doc.URL), canon, doc.Site, doc.Title, doc.Byline, nanos(doc.Published),
		nanos(fetched), doc.Lang, sim, d.Distance, d.Containment, d.Reason, int64(d.Simhash), int64(d.ContentHash), text, now)
	if err != nil {
		return fmt.Errorf("store copy: %w", err)
	}
	return nil
}

func (s *db) addKeys(ctx context.Context, tx *sql.Tx, id int64, keys []uint64) error {
	if len(keys) == 0 {
		return nil
	}
	ks := slices.Clone(keys)
	slices.Sort(ks)
	ks = slices.Compact(ks)
	// One multi-row INSERT per chunk: dedup sends the same number of keys
	// for every page, so the statement is prepared once.
	const chunk = 128
	for len(ks) > 0 {
		part := ks[:min(len(ks), chunk)]
		ks = ks[len(part):]
		args := make([]any, 0, 2*len(part))
		for _, k := range part {
			args = append(args, int64(k), id)
		}
		q := `INSERT INTO dedup_keys (key, story_id) VALUES ` + strings.Repeat("(?, ?), ", len(part)-1) + `(?, ?) ON CONFLICT DO NOTHING`
		if _, err := s.in(tx).exec(ctx, q, args...); err != nil {
			return fmt.Errorf("store keys: %w", err)
		}
	}
	return nil
}

// updateFirstPublisher sets the story's first publisher: the site of its
// earliest copy by published time (fetch time when unknown), then fetch time.
func (s *db) updateFirstPublisher(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := s.in(tx).exec(ctx, `UPDATE stories SET first_publisher = COALESCE((SELECT site FROM copies WHERE story_id = ?
		ORDER BY CASE WHEN published = 0 THEN fetched_at ELSE published END, fetched_at, id LIMIT 1), '') WHERE id = ?`, id, id)
	if err != nil {
		return fmt.Errorf("first publisher of story %d: %w", id, err)
	}
	return nil
}

func (s *db) saveRaw(ctx context.Context, tx *sql.Tx, raw *export.Raw, docURL string) error {
	u := raw.URL
	if u == "" {
		u = docURL
	}
	hdr, err := json.Marshal(raw.Header)
	if err != nil {
		return fmt.Errorf("raw header: %w", err)
	}
	body := raw.Body
	if body == nil {
		body = []byte{}
	}
	_, err = s.in(tx).exec(ctx, `INSERT INTO raw_pages (url, status, header, body, fetched_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET status = excluded.status, header = excluded.header, body = excluded.body,
			fetched_at = excluded.fetched_at`, u, raw.Status, string(hdr), body, nanos(raw.FetchedAt))
	if err != nil {
		return fmt.Errorf("store raw: %w", err)
	}
	return nil
}

// Raw returns the stored raw response of url; see export.Source.
func (s *db) Raw(ctx context.Context, u string) (export.Raw, bool, error) {
	raw := export.Raw{URL: u}
	var (
		hdr string
		at  int64
	)
	err := s.in(nil).queryRow(ctx, `SELECT status, header, body, fetched_at FROM raw_pages WHERE url = ?`, u).
		Scan(&raw.Status, &hdr, &raw.Body, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return export.Raw{}, false, nil
	case err != nil:
		return export.Raw{}, false, fmt.Errorf("store: raw %s: %w", u, err)
	}
	raw.FetchedAt = fromNanos(at)
	if hdr != "" && hdr != "null" {
		raw.Header = http.Header{}
		if err := json.Unmarshal([]byte(hdr), &raw.Header); err != nil {
			return export.Raw{}, false, fmt.Errorf("store: raw %s: header: %w", u, err)
		}
	}
	return raw, true, nil
}

const storyColumns = `id, url, title, byline, published, site, lang, text, first_publisher, first_seen, updated`

func scanStory(sc interface{ Scan(...any) error }) (wirecrawl.Story, error) {
	var (
		st                    wirecrawl.Story
		pub, first, updatedAt int64
	)
	err := sc.Scan(&st.ID, &st.URL, &st.Title, &st.Byline, &pub, &st.Site, &st.Lang, &st.Text, &st.FirstPublisher, &first, &updatedAt)
	st.Published, st.FirstSeen, st.Updated = fromNanos(pub), fromNanos(first), fromNanos(updatedAt)
	return st, err
}

const copyColumns = `story_id, url, site, title, byline, published, fetched_at, similarity, reason, text`

func scanCopy(sc interface{ Scan(...any) error }) (int64, wirecrawl.Copy, error) {
	var (
		id       int64
		c        wirecrawl.Copy
		pub, fet int64
		text     sql.NullString
	)
	err := sc.Scan(&id, &c.URL, &c.Site, &c.Title, &c.Byline, &pub, &fet, &c.Similarity, &c.Reason, &text)
	c.Published, c.FetchedAt, c.Text = fromNanos(pub), fromNanos(fet), text.String
	return id, c, err
}

// copyOrder lists a story's copies: the canonical URL first, then by time.
const copyOrder = ` ORDER BY story_id, CASE WHEN published = 0 THEN fetched_at ELSE published END, fetched_at, id`

// storiesBatch is how many stories Stories reads per query.
const storiesBatch = 256

// Stories streams the stories matching f in ID order with their copies; see
// export.Source. It reads storiesBatch stories at a time (keyset paging), so
// memory stays bounded and no connection is held while fn runs.
func (s *db) Stories(ctx context.Context, f export.Filter, fn func(wirecrawl.Story) error) error {
	sel, err := s.compile(f)
	if err != nil {
		return fmt.Errorf("store: stories: %w", err)
	}
	// One read transaction for the whole walk: the export is a snapshot, in
	// which every stored URL is in exactly one story even while a crawl
	// writes (SQLite WAL readers and PostgreSQL MVCC do not block writers).
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return fmt.Errorf("store: stories: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	last := int64(0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := s.page(ctx, r, sel, last, storiesBatch)
		if err != nil {
			return fmt.Errorf("store: stories: %w", err)
		}
		for _, st := range batch {
			if err := fn(st); err != nil {
				return err
			}
		}
		if len(batch) < storiesBatch {
			return nil
		}
		last = batch[len(batch)-1].ID
	}
}

func (s *db) storyBatch(ctx context.Context, r run, cond string, args []any, after int64) ([]wirecrawl.Story, error) {
	qargs := append([]any{after}, args...)
	qargs = append(qargs, storiesBatch)
	rows, err := r.query(ctx, `SELECT `+storyColumns+` FROM stories WHERE id > ?`+cond+` ORDER BY id LIMIT ?`, qargs...)
	if err != nil {
		return nil, err
	}
	var batch []wirecrawl.Story
	pos := map[int64]int{}
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		pos[st.ID] = len(batch)
		batch = append(batch, st)
	}
	err = rows.Err()
	rows.Close()
	if err != nil || len(batch) == 0 {
		return batch, err
	}
	ids := make([]any, len(batch))
	for i, st := range batch {
		ids[i] = st.ID
	}
	rows, err = r.query(ctx, `SELECT `+copyColumns+` FROM copies WHERE story_id IN (`+placeholders(len(ids))+`)`+copyOrder, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		id, c, err := scanCopy(rows)
		if err != nil {
			return nil, err
		}
		if i, ok := pos[id]; ok {
			batch[i].Copies = append(batch[i].Copies, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range batch {
		canonicalFirst(&batch[i])
	}
	return batch, nil
}

// canonicalFirst moves the canonical URL's copy to the front of the list.
func canonicalFirst(st *wirecrawl.Story) {
	for i, c := range st.Copies {
		if c.URL == st.URL && i > 0 {
			copy(st.Copies[1:i+1], st.Copies[:i])
			st.Copies[0] = c
			return
		}
	}
}

// StoryOf returns the story url belongs to and its copy record; see Store.
func (s *db) StoryOf(ctx context.Context, u string) (wirecrawl.Story, wirecrawl.Copy, bool, error) {
	tx, err := s.r.BeginTx(ctx, s.snapshot)
	if err != nil {
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: %w", u, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	r := run{s: s, tx: tx, read: true}
	id, c, err := scanCopy(r.queryRow(ctx, `SELECT `+copyColumns+` FROM copies WHERE url = ?`, u))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, nil
	case err != nil:
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: %w", u, err)
	}
	var found *wirecrawl.Story
	batch, err := s.storyBatch(ctx, r, ` AND id = ?`, []any{id}, id-1)
	if err != nil {
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: %w", u, err)
	}
	if len(batch) == 1 {
		found = &batch[0]
	}
	if found == nil {
		return wirecrawl.Story{}, wirecrawl.Copy{}, false, fmt.Errorf("store: story of %s: story %d missing", u, id)
	}
	return *found, c, true, nil
}
