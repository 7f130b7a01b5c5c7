package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/frontier"
)

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
	if p.Doc.URL == "" {
		return 0, errors.New("document has no URL")
	}
	ps := &pageSave{s: s, tx: tx, p: p, now: time.Now().UnixNano()}
	var err error
	switch p.Decision.Action {
	case dedup.ActionUnchanged:
		err = ps.unchanged(ctx)
	case dedup.ActionNew:
		err = ps.newStory(ctx)
	case dedup.ActionCopy:
		err = ps.copyOf(ctx)
	default:
		err = fmt.Errorf("unknown dedup action %q", p.Decision.Action)
	}
	if err != nil {
		return 0, err
	}
	if p.Decision.Action != dedup.ActionUnchanged {
		if err := ps.storeCopy(ctx); err != nil {
			return 0, err
		}
	}
	urls := []string{p.Doc.URL}
	if p.FrontierURL != "" && p.FrontierURL != p.Doc.URL {
		urls = append(urls, p.FrontierURL)
		slices.Sort(urls) // lock order, as in Enqueue
	}
	for _, u := range urls {
		if err := s.finishTx(ctx, tx, u, frontier.KindArticle, stateDone, ""); err != nil {
			return 0, fmt.Errorf("frontier %s: %w", u, err)
		}
	}
	return ps.storyID, nil
}

// pageSave is one savePage in progress: the story the page goes to and
// what happened to it.
type pageSave struct {
	s   *db
	tx  *sql.Tx
	p   *Page
	now int64

	storyID int64
	fresh   bool // a story inserted by this page
	merged  int  // stories merged into storyID
}

// mergeAll merges the stories the page also verified against into storyID
// before the page's own canonical claim is weighed, as
// dedup.MemoryIndex.Add does: the most complete canonical wins unless keep.
func (ps *pageSave) mergeAll(ctx context.Context, keep bool) error {
	for _, from := range ps.p.Decision.Merge {
		ok, err := ps.s.mergeStory(ctx, ps.tx, ps.storyID, from, keep, ps.now)
		if err != nil {
			return err
		}
		if ok {
			ps.merged++
		}
	}
	return nil
}

// unchanged: the URL is stored with the same body; it stays in the story
// it is stored under.
func (ps *pageSave) unchanged(ctx context.Context) error {
	ps.storyID = ps.p.Decision.StoryID
	id, _, ok, err := (index{ps.s, ps.s.in(ps.tx)}).StoredURL(ctx, ps.p.Doc.URL)
	if err != nil {
		return err
	}
	if ok {
		ps.storyID = id
	}
	return nil
}

// newStory stores the page as a new story. A URL stored before as the
// only copy of its story is that story, updated in place (a re-save keeps
// the story's ID); a URL that shares its story with others moves to a new
// story.
func (ps *pageSave) newStory(ctx context.Context) error {
	s, tx, d, doc := ps.s, ps.tx, &ps.p.Decision, &ps.p.Doc
	if err := s.maybePruneIndex(ctx, tx, d.WindowStart); err != nil {
		return err
	}
	oldID, alone, err := s.copyStory(ctx, tx, doc.URL)
	if err != nil {
		return err
	}
	if oldID != 0 && alone {
		ps.storyID = oldID
		d.StoryID, d.Canonical = oldID, true
		if err := s.replaceCanonical(ctx, tx, oldID, doc, d, ps.now, false); err != nil {
			return err
		}
		// Its keys are the new text's alone.
		if _, err := s.in(tx).exec(ctx, `DELETE FROM dedup_keys WHERE story_id = ?`, oldID); err != nil {
			return fmt.Errorf("replace keys: %w", err)
		}
	} else {
		if oldID != 0 {
			if err := s.removeCopy(ctx, tx, oldID, doc.URL); err != nil {
				return err
			}
		}
		err = s.in(tx).queryRow(ctx, `INSERT INTO stories (url, title, byline, published, site, lang, text, simhash,
			content_hash, words, first_publisher, first_seen, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			doc.URL, doc.Title, doc.Byline, nanos(doc.Published), doc.Site, doc.Lang, doc.Text, int64(d.Simhash),
			int64(d.ContentHash), docWords(doc, d), doc.Site, ps.now, ps.now).Scan(&ps.storyID)
		if err != nil {
			return fmt.Errorf("insert story: %w", err)
		}
		d.StoryID, d.Canonical, ps.fresh = ps.storyID, true, true
	}
	// dedup never asks a new story to merge others; MemoryIndex keeps the
	// page canonical if it does.
	return ps.mergeAll(ctx, true)
}

// copyOf adds the page to the story dedup chose, merging the stories it
// also verified against, and makes it the canonical version if it is.
func (ps *pageSave) copyOf(ctx context.Context) error {
	s, tx, d, doc := ps.s, ps.tx, &ps.p.Decision, &ps.p.Doc
	ps.storyID = d.StoryID
	var one int
	err := s.in(tx).queryRow(ctx, `SELECT 1 FROM stories WHERE id = ?`, ps.storyID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("copy of story %d: no such story", ps.storyID)
	} else if err != nil {
		return err
	}
	// Merge first: the page's URL may be stored in a story it merges,
	// whose text then competes for canonical instead of being dropped
	// with that story when the URL moves.
	if err := ps.mergeAll(ctx, false); err != nil {
		return err
	}
	oldID, _, err := s.copyStory(ctx, tx, doc.URL)
	if err != nil {
		return err
	}
	if oldID != 0 && oldID != ps.storyID {
		if err := s.removeCopy(ctx, tx, oldID, doc.URL); err != nil {
			return err
		}
	}
	if !d.Canonical {
		return nil
	}
	var words int
	if len(d.Merge) > 0 {
		if err := s.in(tx).queryRow(ctx, `SELECT words FROM stories WHERE id = ?`, ps.storyID).Scan(&words); err != nil {
			return fmt.Errorf("story %d length: %w", ps.storyID, err)
		}
	}
	if dedup.KeepsCanonical(*d, docWords(doc, d), words) {
		return s.replaceCanonical(ctx, tx, ps.storyID, doc, d, ps.now, true)
	}
	return nil
}

// storeCopy writes the page's copy row, its index keys, the story's first
// publisher and the raw response.
func (ps *pageSave) storeCopy(ctx context.Context) error {
	s, tx, d, doc := ps.s, ps.tx, &ps.p.Decision, &ps.p.Doc
	if err := s.upsertCopy(ctx, tx, ps.storyID, doc, d, ps.now); err != nil {
		return err
	}
	if err := s.addKeys(ctx, tx, ps.storyID, d.Keys); err != nil {
		return err
	}
	if !ps.fresh || ps.merged > 0 { // a fresh story got its first publisher on insert
		if err := s.updateFirstPublisher(ctx, tx, ps.storyID); err != nil {
			return err
		}
	}
	if s.cfg.RawHTML && ps.p.Raw != nil {
		if err := s.saveRaw(ctx, tx, ps.p.Raw, doc.URL); err != nil {
			return err
		}
	}
	return nil
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
