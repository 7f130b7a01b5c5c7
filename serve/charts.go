package serve

import (
	"fmt"
	"time"

	"github.com/wirecrawl/wirecrawl/store"
)

// palette colours sites by rank (most copies first); the rest are grey.
var palette = []string{"#457b9d", "#e63946", "#2a9d8f", "#f4a261", "#6d597a", "#8ab17d", "#e9c46a", "#264653", "#b5838d", "#90be6d"}

const otherColor = "#999999"

// siteColors maps each site to its colour.
func siteColors(sites []store.SiteCount) map[string]string {
	m := map[string]string{}
	for i, s := range sites {
		if i < len(palette) {
			m[s.Site] = palette[i]
		}
	}
	return m
}

func colorOf(colors map[string]string, site string) string {
	if c, ok := colors[site]; ok {
		return c
	}
	return otherColor
}

// dayChart is a stacked bar chart: a bar per day, a segment per site.
type dayChart struct {
	Width, Height, Left, Right, Base, TickY int
	Max                                     int64
	Bars                                    []dayBar
	Legend                                  []legendItem
}

type dayBar struct {
	Segs   []rect
	Label  string
	LabelX float64
}

type rect struct {
	X, Y, W, H   float64
	Color, Title string
}

type legendItem struct{ Site, Color string }

const (
	chartWidth  = 860
	chartHeight = 220
	chartLeft   = 10
	chartTop    = 22
)

// newDayChart draws days (by day, then site) as stacked bars, one per day
// from the first to the last, days without copies empty.
func newDayChart(days []DayRecord, colors map[string]string) dayChart {
	c := dayChart{Width: chartWidth, Height: chartHeight, Left: chartLeft, Right: chartWidth - chartLeft,
		Base: chartHeight - 20, TickY: chartHeight - 6}
	if len(days) == 0 {
		return c
	}
	first, err1 := time.Parse(time.DateOnly, days[0].Day)
	last, err2 := time.Parse(time.DateOnly, days[len(days)-1].Day)
	if err1 != nil || err2 != nil {
		return c
	}
	n := int(last.Sub(first)/(24*time.Hour)) + 1
	totals := make([]int64, n)
	index := func(d DayRecord) int {
		t, err := time.Parse(time.DateOnly, d.Day)
		if err != nil {
			return -1
		}
		return int(t.Sub(first) / (24 * time.Hour))
	}
	seen := map[string]bool{}
	for _, d := range days {
		if i := index(d); i >= 0 && i < n {
			totals[i] += d.Copies
		}
		if !seen[d.Site] {
			seen[d.Site] = true
			c.Legend = append(c.Legend, legendItem{d.Site, colorOf(colors, d.Site)})
		}
	}
	for _, t := range totals {
		c.Max = max(c.Max, t)
	}
	slot := float64(c.Right-c.Left) / float64(n)
	scale := float64(c.Base-chartTop) / float64(max(c.Max, 1))
	c.Bars = make([]dayBar, n)
	labelEvery := max(1, n/8)
	for i := range c.Bars {
		c.Bars[i].LabelX = float64(c.Left) + slot*(float64(i)+0.5)
		if i%labelEvery == 0 {
			c.Bars[i].Label = first.AddDate(0, 0, i).Format("Jan 2")
		}
	}
	heights := make([]float64, n)
	for _, d := range days {
		i := index(d)
		if i < 0 || i >= n {
			continue
		}
		h := float64(d.Copies) * scale
		heights[i] += h
		c.Bars[i].Segs = append(c.Bars[i].Segs, rect{
			X: float64(c.Left) + slot*float64(i) + slot*0.1, W: slot * 0.8,
			Y: float64(c.Base) - heights[i], H: h, Color: colorOf(colors, d.Site),
			Title: fmt.Sprintf("%s, %s: %d", d.Day, d.Site, d.Copies),
		})
	}
	return c
}

// shareChart is a horizontal bar per site: its share of all copies, and
// within it the stories it published first.
type shareChart struct {
	Width, Height, Left int
	LabelX              int
	Rows                []shareRow
}

type shareRow struct {
	Site, Color, Title, FirstTitle, Pct string
	Y, W, FirstW, TextX                 float64
}

// maxShareRows bounds the share chart; the smallest sites are left out.
const maxShareRows = 20

// newShareChart draws each site's share of the copies in st.
func newShareChart(st store.Stats, colors map[string]string) shareChart {
	c := shareChart{Width: chartWidth, Left: 180, LabelX: 172}
	if st.Copies == 0 {
		return c
	}
	full := float64(chartWidth - c.Left - 70)
	for i, s := range st.Sites {
		if i == maxShareRows {
			break
		}
		share := float64(s.Copies) / float64(st.Copies)
		site := s.Site
		if site == "" {
			site = "(unknown site)"
		}
		w := full * share
		c.Rows = append(c.Rows, shareRow{
			Site: site, Color: colorOf(colors, s.Site), Y: float64(4 + i*22), W: w,
			FirstW: full * float64(s.First) / float64(st.Copies), TextX: float64(c.Left) + w + 6,
			Pct:        fmt.Sprintf("%.1f%%", 100*share),
			Title:      fmt.Sprintf("%s: %d of %d copies", site, s.Copies, st.Copies),
			FirstTitle: fmt.Sprintf("%s published %d stories first", site, s.First),
		})
	}
	c.Height = 8 + len(c.Rows)*22
	return c
}
