package serve

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/wirecrawl/wirecrawl"
)

// storyView is the syndication view's data.
type storyView struct {
	Base base
	// Story is the story; its copies are in Copies.
	Story *wirecrawl.Story
	// Paragraphs is the canonical text.
	Paragraphs []string
	// Copies is every outlet that ran the story, earliest first.
	Copies []copyView
	// AnyText: some copy other than the canonical kept its own text.
	AnyText  bool
	Timeline timeline
}

// copyView is one outlet's copy and what it changed.
type copyView struct {
	// N numbers the copy in the store's order (canonical first), for anchors.
	N    int
	Copy wirecrawl.Copy
	Host string
	// When is the copy's publication time, or its fetch time when unknown.
	When time.Time
	// Delay is how long after the first copy it appeared ("" for the first).
	Delay     string
	Canonical bool
	// HasText: the copy's own text was kept, so Diff compares it.
	HasText bool
	Diff    []SentenceDiff
	Sum     DiffSummary
}

// syndication builds the view of st: copies in time order, each diffed
// against the canonical text when its own text was kept.
func syndication(b base, st *wirecrawl.Story) storyView {
	v := storyView{Base: b, Story: st}
	for _, p := range strings.Split(st.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Paragraphs = append(v.Paragraphs, p)
		}
	}
	for i, c := range st.Copies {
		cv := copyView{N: i, Copy: c, When: c.Published, Canonical: c.URL == st.URL, HasText: c.Text != ""}
		if cv.When.IsZero() {
			cv.When = c.FetchedAt
		}
		if u, err := url.Parse(c.URL); err == nil {
			cv.Host = u.Hostname()
		}
		if cv.HasText && !cv.Canonical {
			cv.Diff = DiffSentences(st.Text, c.Text)
			cv.Sum = Summary(cv.Diff)
			v.AnyText = true
		}
		v.Copies = append(v.Copies, cv)
	}
	sort.SliceStable(v.Copies, func(i, j int) bool { return v.Copies[i].When.Before(v.Copies[j].When) })
	if len(v.Copies) > 0 {
		first := v.Copies[0].When
		for i := range v.Copies[1:] {
			v.Copies[i+1].Delay = delay(v.Copies[i+1].When.Sub(first))
		}
	}
	v.Timeline = newTimeline(v.Copies)
	return v
}

// delay formats how long after the first copy another appeared: "+3h 05m".
func delay(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d <= 0:
		return "+0m"
	case d < time.Hour:
		return fmt.Sprintf("+%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("+%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("+%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// timeline is the geometry of the publication timeline (inline SVG): one
// row per copy in time order, a dot at its time on a shared axis.
type timeline struct {
	Width, Height, Left, Right, AxisY, TickY int
	LabelX                                   float64
	Ticks                                    []tick
	Rows                                     []timelineRow
}

type tick struct {
	X     float64
	Label string
}

type timelineRow struct {
	N         int
	X, Y      float64
	Label     string
	Title     string
	Delay     string
	Canonical bool
}

const (
	tlWidth  = 860
	tlLeft   = 170
	tlRight  = tlWidth - 90
	tlRowH   = 18
	tlTop    = 14
	tlLabelW = 8
)

// newTimeline lays copies (in time order) out on a time axis.
func newTimeline(copies []copyView) timeline {
	t := timeline{Width: tlWidth, Left: tlLeft, Right: tlRight, LabelX: tlLeft - tlLabelW}
	t.AxisY = tlTop + len(copies)*tlRowH
	t.TickY = t.AxisY + 14
	t.Height = t.TickY + 6
	if len(copies) == 0 {
		return t
	}
	start, end := copies[0].When, copies[len(copies)-1].When
	span := end.Sub(start)
	if span <= 0 {
		span = time.Hour
	}
	x := func(at time.Time) float64 {
		return tlLeft + float64(tlRight-tlLeft)*float64(at.Sub(start))/float64(span)
	}
	for i, c := range copies {
		label := c.Copy.Site
		if label == "" {
			label = c.Host
		}
		if r := []rune(label); len(r) > 26 {
			label = string(r[:25]) + "…"
		}
		t.Rows = append(t.Rows, timelineRow{
			N: c.N, X: x(c.When), Y: float64(tlTop + i*tlRowH + tlRowH/2), Label: label,
			Title: when(c.When) + " · " + c.Copy.Title, Delay: c.Delay, Canonical: c.Canonical,
		})
	}
	t.Ticks = []tick{{tlLeft, when(start)}}
	if end.After(start) {
		t.Ticks = append(t.Ticks, tick{tlRight, when(end)})
	}
	return t
}
