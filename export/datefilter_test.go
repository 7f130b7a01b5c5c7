package export_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/export/exporttest"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

func TestDateFilterBeyondStoredRangeSQLite(t *testing.T) {
	dateFilterBeyondStoredRange(t, "sqlite:"+filepath.Join(t.TempDir(), "wirecrawl.db"))
}

func TestDateFilterBeyondStoredRangePostgres(t *testing.T) {
	dateFilterBeyondStoredRange(t, storetest.PostgresDSN(t))
}

// Filter bounds outside the years Unix nanoseconds hold (1678-2262) select
// what they say: --since 2263 nothing, --until 3000 everything, --until
// 1600 nothing, --since 1600 everything. UnixNano wrapped them around before.
func dateFilterBeyondStoredRange(t *testing.T, dsn string) {
	c := &exporttest.Corpus{N: 20, Paragraphs: 1}
	st := loadStore(t, dsn, c)
	day := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	all := c.Expect(export.Filter{})
	if all.Stories == 0 {
		t.Fatal("empty corpus")
	}
	for _, tc := range []struct {
		name string
		f    export.Filter
		all  bool
	}{
		{"since 2263", export.Filter{Since: day(2263)}, false},
		{"since 9999", export.Filter{Since: day(9999)}, false},
		{"until 3000", export.Filter{Until: day(3000)}, true},
		{"until 1600", export.Filter{Until: day(1600)}, false},
		{"since 1600", export.Filter{Since: day(1600)}, true},
		{"since 1 until 9999", export.Filter{Since: day(1), Until: day(9999)}, true},
		{"since 1600 until 1650", export.Filter{Since: day(1600), Until: day(1650)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := c.Expect(tc.f)
			if (want.Stories == all.Stories) != tc.all || (want.Stories == 0) == tc.all {
				t.Fatalf("the corpus oracle says %d of %d stories", want.Stories, all.Stories)
			}
			_, counts := runExport(t, st, export.Options{Filter: tc.f})
			checkCounts(t, counts, want)
		})
	}
}
