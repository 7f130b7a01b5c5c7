package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/pipeline"
	"github.com/wirecrawl/wirecrawl/store"
)

// TestNewBadCrawlerConfig: a stage config that does not validate stops New
// with an error wrapping ErrConfig (the command's exit 2).
func TestNewBadCrawlerConfig(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = pipeline.New(ctx, st, pipeline.Config{Crawler: crawler.Config{Workers: -1}})
	if !errors.Is(err, pipeline.ErrConfig) || !strings.Contains(err.Error(), "workers") {
		t.Fatalf("New with workers -1: %v; want ErrConfig naming workers", err)
	}
}

// TestNewRunLock: a pipeline that names a run lock holds it from New to
// Close; another one with the same name, not waiting, is refused meanwhile.
func TestNewRunLock(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := pipeline.Config{RunLock: "crawl@test"}
	first, err := pipeline.New(ctx, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.New(ctx, st, cfg); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second New while the first holds the lock: %v; want store.ErrLocked", err)
	}
	other, err := pipeline.New(ctx, st, pipeline.Config{RunLock: "crawl@elsewhere"})
	if err != nil {
		t.Fatalf("New with another lock name: %v", err)
	}
	other.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := pipeline.New(ctx, st, cfg)
	if err != nil {
		t.Fatalf("New after Close gave the lock back: %v", err)
	}
	again.Close()
}

// TestRawHTML: Config.RawHTML keeps each page's raw response with its story;
// without it none is kept.
func TestRawHTML(t *testing.T) {
	ctx := context.Background()
	body := strings.Repeat("The council voted on Tuesday to expand the harbour after a long debate about costs and fishing rights. ", 6)
	page := fmt.Sprintf(`<html><head><title>Council expands the harbour</title></head><body><article><h1>Council expands the harbour</h1><p>%[1]s</p><p>%[1]s</p></article></body></html>`, body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("raw_html=%v", keep), func(t *testing.T) {
			st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), store.Config{RawHTML: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			p, err := pipeline.New(ctx, st, pipeline.Config{
				Crawler: crawler.Config{AllowPrivateNetworks: true, NoDelay: true},
				RawHTML: keep,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			u := srv.URL + "/news/harbour.html"
			if _, err := p.Ingest(ctx, []string{u}, func(_ string, err error) {
				if err != nil {
					t.Errorf("ingest: %v", err)
				}
			}); err != nil {
				t.Fatal(err)
			}
			if p.Counts().New != 1 {
				t.Fatalf("counts %+v, want one new story", p.Counts())
			}
			raw, ok, err := st.Raw(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			if ok != keep || (keep && string(raw.Body) != page) {
				t.Errorf("raw kept %v (%d bytes), want %v with the page's body", ok, len(raw.Body), keep)
			}
		})
	}
}
