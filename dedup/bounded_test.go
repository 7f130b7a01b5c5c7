package dedup

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// textCounter counts the texts Decide reads through Index.Texts.
type textCounter struct {
	*MemoryIndex
	calls, texts, maxPerCall int
}

func (c *textCounter) Texts(ctx context.Context, ids []int64) (map[int64]string, error) {
	c.calls++
	c.texts += len(ids)
	c.maxPerCall = max(c.maxPerCall, len(ids))
	return c.MemoryIndex.Texts(ctx, ids)
}

// boilerplate is a paragraph every story of the test carries (a
// newsletter plug, a lede formula): it gives every story the same sketch
// and opening keys.
const boilerplate = "Sign up for our morning briefing to get the stories that matter delivered to your inbox every weekday before seven."

// storiesSharing returns n different stories, each three paragraphs of its
// own sentences after one shared boilerplate paragraph.
func storiesSharing(t testing.TB, n int) []wirecrawl.Document {
	t.Helper()
	p := loadPool(t)
	var docs []wirecrawl.Document
	for i := range n {
		var paras []string
		paras = append(paras, boilerplate)
		for j := range 3 {
			var s []string
			for k := range 3 {
				s = append(s, p.sentences[(i*9+j*3+k)%len(p.sentences)])
			}
			paras = append(paras, strings.Join(s, " "))
		}
		docs = append(docs, wirecrawl.Document{URL: fmt.Sprintf("https://a.example/%d", i), Text: strings.Join(paras, "\n\n")})
	}
	return docs
}

// TestBoundedCandidates: keys that more stories share than key_limit
// nominate nothing (counted as stop keys), at most max_candidates stories
// are verified per page, and texts are read only for those the fingerprint
// cache lacks; a syndicated copy among them is still found.
func TestBoundedCandidates(t *testing.T) {
	ctx := context.Background()
	docs := storiesSharing(t, 80)
	for _, cfg := range []Config{{KeyLimit: 16, MaxCandidates: 4, Cache: -1}, {KeyLimit: -1, MaxCandidates: 4, Cache: -1}} {
		t.Run(fmt.Sprintf("key_limit=%d", cfg.KeyLimit), func(t *testing.T) {
			d := New(cfg)
			m := NewMemoryIndex()
			idx := &textCounter{MemoryIndex: m}
			for _, doc := range docs {
				dec, err := d.Decide(ctx, idx, doc)
				if err != nil {
					t.Fatal(err)
				}
				if dec.Action != ActionNew {
					t.Fatalf("%s: %s, want a new story: %s", doc.URL, dec.Action, dec.Reason)
				}
				dec.StoryID = int64(len(m.stories) + 1)
				if err := m.Add(dec.StoryID, doc, dec); err != nil {
					t.Fatal(err)
				}
			}
			if idx.maxPerCall > cfg.MaxCandidates {
				t.Errorf("one decision read %d texts, max_candidates is %d", idx.maxPerCall, cfg.MaxCandidates)
			}
			st := d.Stats()
			if cfg.KeyLimit > 0 && st.StopKeys == 0 {
				t.Errorf("80 stories share the boilerplate's keys, key_limit %d: no stop key counted (%+v)", cfg.KeyLimit, st)
			}
			if cfg.KeyLimit < 0 && st.StopKeys != 0 {
				t.Errorf("no key limit: %d stop keys", st.StopKeys)
			}
			// a decision nominates at most key_limit stories per key: the
			// shared keys stop nominating; without a limit each of them
			// nominates every story stored before
			bound := int64(16 * len(docs))
			if cfg.KeyLimit > 0 && st.Nominated > bound {
				t.Errorf("key_limit %d: %d stories nominated over %d decisions; the shared keys still nominate", cfg.KeyLimit, st.Nominated, st.Decisions)
			}
			if cfg.KeyLimit < 0 && st.Nominated <= bound {
				t.Errorf("no key limit: only %d stories nominated over %d decisions; the test's stories share too little", st.Nominated, st.Decisions)
			}
			// a syndicated copy of story 50: byline and one paragraph dropped
			src := docs[50]
			paras := strings.Split(src.Text, "\n\n")
			cp := wirecrawl.Document{URL: "https://b.example/50", Text: "By A. Reporter, Allied Press\n\n" + strings.Join(paras[:3], "\n\n")}
			dec, err := d.Decide(ctx, idx, cp)
			if err != nil {
				t.Fatal(err)
			}
			if dec.Action != ActionCopy || dec.StoryID != 51 {
				t.Fatalf("copy of story 51: %s %d: %s", dec.Action, dec.StoryID, dec.Reason)
			}
		})
	}
}

// TestFingerprintCache: a story decided new is remembered, so its next copy
// is verified without reading its text; with the cache off the text is read.
func TestFingerprintCache(t *testing.T) {
	ctx := context.Background()
	docs := storiesSharing(t, 1)
	src := docs[0]
	cp := src
	cp.URL = "https://b.example/copy"
	cp.Text = strings.Replace(src.Text, boilerplate, "By Staff, Allied Press", 1)
	for _, cache := range []int{0, -1} {
		d := New(Config{Cache: cache})
		m := NewMemoryIndex()
		idx := &textCounter{MemoryIndex: m}
		dec, err := d.Decide(ctx, idx, src)
		if err != nil || dec.Action != ActionNew {
			t.Fatalf("first: %+v %v", dec, err)
		}
		if err := m.Add(1, src, dec); err != nil {
			t.Fatal(err)
		}
		dec, err = d.Decide(ctx, idx, cp)
		if err != nil || dec.Action != ActionCopy {
			t.Fatalf("copy: %+v %v", dec, err)
		}
		st := d.Stats()
		if cache == 0 && (idx.texts != 0 || st.CacheHits == 0 || st.CacheHitRate() == 0) {
			t.Errorf("cache on: %d texts read, stats %+v", idx.texts, st)
		}
		if cache < 0 && (idx.texts == 0 || st.CacheHits != 0) {
			t.Errorf("cache off: %d texts read, stats %+v", idx.texts, st)
		}
	}
}

// TestWindow: a story first seen more than dedup.window before the decision
// is no candidate; within the window, or with no window, it is.
func TestWindow(t *testing.T) {
	ctx := context.Background()
	docs := storiesSharing(t, 1)
	src := docs[0]
	seen := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	src.FetchedAt = seen
	cp := src
	cp.URL = "https://b.example/copy"
	cp.FetchedAt = time.Time{}
	for _, c := range []struct {
		window time.Duration
		after  time.Duration
		want   Action
	}{
		{0, 29 * 24 * time.Hour, ActionCopy},   // default: 30 days
		{0, 31 * 24 * time.Hour, ActionNew},    // too old
		{-1, 400 * 24 * time.Hour, ActionCopy}, // no window
		{48 * time.Hour, 49 * time.Hour, ActionNew},
	} {
		m := NewMemoryIndex()
		d := New(Config{Window: c.window})
		dec, err := d.Decide(ctx, m, src)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Add(1, src, dec); err != nil {
			t.Fatal(err)
		}
		later := d.WithClock(func() time.Time { return seen.Add(c.after) })
		dec, err = later.Decide(ctx, m, cp)
		if err != nil {
			t.Fatal(err)
		}
		if dec.Action != c.want {
			t.Errorf("window %v, copy %v later: %s, want %s (%s)", c.window, c.after, dec.Action, c.want, dec.Reason)
		}
	}
}
