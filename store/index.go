package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wirecrawl/wirecrawl/dedup"
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
		stop, err := ix.matchKeys(ctx, chunk, q.KeyLimit, matched)
		if err != nil {
			return nom, fmt.Errorf("store: nominate: %w", err)
		}
		nom.StopKeys += stop
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
		cands, err := ix.fingerprints(ctx, chunk, since)
		if err != nil {
			return nom, fmt.Errorf("store: nominate: %w", err)
		}
		for _, c := range cands {
			c.Matched = matched[c.StoryID]
			nom.Candidates = append(nom.Candidates, c)
		}
	}
	return nom, nil
}

// matchKeys counts, in matched, the keys each story shares among keys,
// reading at most keyLimit+1 stories per key (all when keyLimit is 0), and
// returns how many keys more than keyLimit stories share (stop keys, which
// count for no story).
func (ix index) matchKeys(ctx context.Context, keys []uint64, keyLimit int, matched map[int64]int) (stop int, err error) {
	var (
		sb   strings.Builder
		args []any
	)
	for i, k := range keys {
		if i > 0 {
			sb.WriteString(" UNION ALL ")
		}
		sb.WriteString("SELECT key, story_id FROM (SELECT key, story_id FROM dedup_keys WHERE key = ? ORDER BY story_id DESC")
		args = append(args, int64(k))
		if keyLimit > 0 {
			sb.WriteString(" LIMIT ?")
			args = append(args, keyLimit+1)
		}
		fmt.Fprintf(&sb, ") k%d", i)
	}
	rows, err := ix.r.query(ctx, sb.String(), args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	perKey := map[int64][]int64{}
	for rows.Next() {
		var k, id int64
		if err := rows.Scan(&k, &id); err != nil {
			return 0, err
		}
		perKey[k] = append(perKey[k], id)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, ids := range perKey {
		if keyLimit > 0 && len(ids) > keyLimit {
			stop++
			continue
		}
		for _, id := range ids {
			matched[id]++
		}
	}
	return stop, nil
}

// fingerprints reads the dedup_stories rows of stories ids first seen at
// or after since (UnixNano), in story order.
func (ix index) fingerprints(ctx context.Context, ids []int64, since int64) ([]dedup.Candidate, error) {
	args := make([]any, 0, len(ids)+1)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, since)
	rows, err := ix.r.query(ctx, `SELECT story_id, simhash, content_hash, words, published, first_seen FROM dedup_stories
		WHERE story_id IN (`+placeholders(len(ids))+`) AND first_seen >= ? ORDER BY story_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dedup.Candidate
	for rows.Next() {
		var (
			c                dedup.Candidate
			sh, ch, pub, fst int64
		)
		if err := rows.Scan(&c.StoryID, &sh, &ch, &c.Length, &pub, &fst); err != nil {
			return nil, err
		}
		c.Simhash, c.ContentHash, c.Published, c.FirstSeen = uint64(sh), uint64(ch), fromNanos(pub), fromNanos(fst)
		out = append(out, c)
	}
	return out, rows.Err()
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
