package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/export"
	"github.com/wirecrawl/wirecrawl/store"
)

// exportFlags are the flags of `wirecrawl export`.
type exportFlags struct {
	format, out, since, until, site, lang, query, card string
	copies                                             bool
}

// exportCommand streams the stored stories to a file or standard output.
func (a *app) exportCommand() *cobra.Command {
	var fl exportFlags
	cmd := &cobra.Command{
		Use:   "export [--format jsonl|parquet|warc] [--out FILE] [--since T] [--until T] [--site S] [--lang L] [--query Q] [--copies] [--card PATH]",
		Short: "Export the stored stories as JSONL, Parquet or WARC, with a dataset card",
		Long: `Export streams the stored stories, one record per story with all its copies.

  jsonl    one JSON object per line (the default; .gz or .zst in --out compresses)
  parquet  the same records, typed columns, copies as a list of structs
  warc     WARC 1.1: for every copy with a stored raw response (store.raw_html),
           a request, the response and the clean text as a conversion record
           (.warc.gz in --out gzips each record)

Without --format, the format follows --out's extension (.parquet, .warc[.gz]),
else JSONL. Without --out (or with --out -) the export goes to standard output.
A dataset card (counts per site and language, seeds, config hash, version, and
the seeds, configuration and version each crawl that made the data recorded) is
written to FILE.card.json next to --out, or to --card PATH (Markdown if PATH ends in .md).
--since and --until take RFC 3339 times or dates (YYYY-MM-DD); a date for
--until includes that whole day. --query keeps the stories matching a
full-text query, in the syntax of 'wirecrawl search' (words, "phrases",
-excluded, prefix*), still in story ID order.

--out may name a character device or a FIFO (/dev/stdout, a named pipe): it is
written through, as tee would, never replaced, and gets a card only where
--card says. A symbolic link is followed: the regular file it points to is
replaced and the link stays; a link to nothing is refused, and so are
directories, block devices and sockets. Without --format, an --out extension
that names no format (.csv) is refused. An export that wrote nothing of what
it was asked for (a WARC without one response because store.raw_html was off,
--copies when no copy text was kept) exits 1 and leaves no file.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("export takes no arguments, got %q", args)}
			}
			return a.runExport(cmd.Context(), fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.format, "format", "", "jsonl, parquet or warc (default: from --out's extension, else jsonl)")
	f.StringVarP(&fl.out, "out", "o", "", "output file (default standard output); .gz/.zst compress JSONL, .warc.gz gzips WARC records")
	f.StringVar(&fl.since, "since", "", "only stories published at or after T (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&fl.until, "until", "", "only stories published before T (RFC 3339), or on or before a date YYYY-MM-DD")
	f.StringVar(&fl.site, "site", "", "only stories with a copy on this site (site name or host); all their copies are exported")
	f.StringVar(&fl.lang, "lang", "", "only stories in this language (e.g. en)")
	f.StringVarP(&fl.query, "query", "q", "", `only stories matching this full-text query (words, "phrases", -word, prefix*; see wirecrawl search --help)`)
	f.BoolVar(&fl.copies, "copies", false, "also export each copy's own stored text (store.keep_copy_text)")
	f.StringVar(&fl.card, "card", "", "write the dataset card here, as Markdown if PATH ends in .md (default FILE.card.json next to --out; none for standard output)")
	return cmd
}

// exportPlan is the checked form of the flags.
type exportPlan struct {
	opts     export.Options
	out      string // "" for standard output
	cardPath string // "" for no card
}

// planExport checks the flags; every error is a usage error.
func planExport(fl exportFlags) (exportPlan, error) {
	var p exportPlan
	if fl.out != "-" {
		p.out = fl.out
	}
	format := fl.format
	if format == "" {
		if f, ok := export.FormatForPath(p.out); ok {
			format = string(f)
		} else if ext := export.UnknownExtension(p.out); ext != "" {
			return p, fmt.Errorf("--out %s: %s is not an export extension (%s, each optionally .gz or .zst); rename it or give --format",
				p.out, ext, strings.Join(export.Extensions(), ", "))
		}
	}
	f, err := export.ParseFormat(format)
	if err != nil {
		return p, fmt.Errorf("--format: %w", err)
	}
	p.opts.Format = f
	if p.out != "" {
		if p.opts.Compression, err = export.CompressionForPath(f, p.out); err != nil {
			return p, fmt.Errorf("--out: %w", err)
		}
	}
	if p.opts.Filter.Since, err = export.ParseTime(fl.since, false); err != nil {
		return p, fmt.Errorf("--since: %w", err)
	}
	if p.opts.Filter.Until, err = export.ParseTime(fl.until, true); err != nil {
		return p, fmt.Errorf("--until: %w", err)
	}
	if s, u := p.opts.Filter.Since, p.opts.Filter.Until; !s.IsZero() && !u.IsZero() && !s.Before(u) {
		return p, fmt.Errorf("--since %s is not before --until %s", fl.since, fl.until)
	}
	p.opts.Filter.Site = strings.TrimSpace(fl.site)
	p.opts.Filter.Lang = strings.TrimSpace(fl.lang)
	if fl.query != "" {
		if _, err := store.ParseQuery(fl.query); err != nil {
			return p, fmt.Errorf("--query: %w", err)
		}
		p.opts.Filter.Query = fl.query
	}
	p.opts.Copies = fl.copies
	switch {
	case fl.card != "":
		p.cardPath = fl.card
	case p.out != "":
		p.cardPath = export.CardPath(p.out)
	}
	if p.cardPath != "" && p.out != "" && filepath.Clean(p.cardPath) == filepath.Clean(p.out) {
		return p, fmt.Errorf("--card %s is the export file itself", fl.card)
	}
	return p, nil
}

func (a *app) runExport(ctx context.Context, fl exportFlags) (err error) {
	plan, err := planExport(fl)
	if err != nil {
		return usageError{err}
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if err := checkExportPaths(plan, cfg.DB); err != nil {
		return usageError{err}
	}
	st, err := openExisting(ctx, cfg)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("export: closing store: %w", cerr)
		}
	}()
	hashed := cfg
	hashed.Serve = config.ServeConfig{} // serve's settings (a secret token) say nothing about the data
	configHash, err := export.HashConfig(hashed)
	if err != nil {
		return err
	}
	opts := plan.opts
	opts.Software = "wirecrawl/" + version
	opts.UserAgent = cfg.Crawler.UserAgent
	if plan.out != "" {
		opts.WARCFilename = filepath.Base(plan.out)
	}
	w, target, err := a.exportTarget(&plan, fl.card)
	if err != nil {
		return err
	}
	if target != nil {
		defer target.Abort()
	}
	finishBar := func() {}
	if bar := a.progressBar(ctx, st, plan); bar != nil {
		opts.OnStory = func(n int64) { _ = bar.Set64(n) }
		finishBar = func() { _ = bar.Finish() }
	}
	counts, err := export.Write(ctx, st, w, opts)
	finishBar() // clears the bar before anything else is printed
	if err != nil {
		return err
	}
	// An export that wrote nothing of what it was asked for (a WARC without
	// responses, --copies without copy texts) exits 1 and leaves no file.
	if err := export.Shortfall(opts, counts); err != nil {
		return fmt.Errorf("%w (%w)", err, errPartial)
	}
	if target != nil {
		if err := target.Commit(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if err := writeExportCard(ctx, st, cfg, plan, opts, counts, configHash); err != nil {
		return err
	}
	logExportDone(a.logger(cfg), plan, opts, counts)
	return nil
}

// checkExportPaths refuses an output or card path that is the database
// (dsn) or a directory.
func checkExportPaths(plan exportPlan, dsn string) error {
	for _, path := range []string{plan.out, plan.cardPath} {
		if path == "" {
			continue
		}
		if isDatabaseFile(path, dsn) {
			return fmt.Errorf("export: %s is the database (db: %s); choose another output", path, dsn)
		}
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return fmt.Errorf("export: %s is a directory; name a file", path)
		}
	}
	return nil
}

// exportTarget opens the output: standard output, or a Target for --out
// (see export.Target). A regular file is written to a temporary file
// renamed over --out on success, so that a failed or interrupted export
// never leaves a truncated file behind; a device or FIFO is written through
// and gets no card next to it (plan.cardPath is cleared unless --card,
// cardFlag, named one).
func (a *app) exportTarget(plan *exportPlan, cardFlag string) (io.Writer, *export.Target, error) {
	if plan.out == "" {
		return a.stdout, nil, nil
	}
	target, err := export.CreateTarget(plan.out)
	if err != nil {
		if errors.Is(err, export.ErrRefusedTarget) {
			return nil, nil, usageError{fmt.Errorf("export: --out: %w", err)}
		}
		return nil, nil, fmt.Errorf("export: --out: %w", err)
	}
	if !target.Regular() && cardFlag == "" {
		plan.cardPath = ""
	}
	return target, target, nil
}

// writeExportCard writes the dataset card of the export, if the plan has
// a card path.
func writeExportCard(ctx context.Context, st store.Store, cfg config.Config, plan exportPlan, opts export.Options,
	counts export.Counts, configHash string) error {
	if plan.cardPath == "" {
		return nil
	}
	card := export.Card{
		Created:      time.Now().UTC(),
		Version:      version,
		Format:       opts.Format,
		Compression:  opts.Compression,
		Seeds:        export.SeedRefs(cfg.Seeds),
		ConfigSHA256: configHash,
		Filter:       export.NewCardFilter(opts.Filter),
		CopyText:     opts.Copies,
		Counts:       counts,
	}
	if src, ok := st.(export.CrawlRunSource); ok {
		var err error
		if card.Crawls, err = src.CrawlRuns(ctx); err != nil {
			return fmt.Errorf("export: card: %w", err)
		}
	}
	if plan.out != "" {
		card.File = filepath.Base(plan.out)
	}
	return export.WriteCard(plan.cardPath, card)
}

// logExportDone logs what the export wrote, and warns of what it left out.
func logExportDone(log *slog.Logger, plan exportPlan, opts export.Options, counts export.Counts) {
	dest := plan.out
	if dest == "" {
		dest = "standard output"
	}
	log.Info("export done", "format", string(opts.Format), "out", dest, "stories", counts.Stories,
		"copies", counts.Copies, "duplicates_merged", counts.DuplicatesMerged, "card", plan.cardPath)
	if opts.Format == export.WARC && counts.CopiesWithoutRaw > 0 {
		log.Warn("copies without a stored raw response are not in the WARC; crawl with store.raw_html: true to keep them",
			"missing", counts.CopiesWithoutRaw, "written", counts.WARCResponses)
	}
	if counts.WARCSkipped > 0 {
		log.Warn("copies whose stored response has no http(s) URL were left out of the WARC", "skipped", counts.WARCSkipped)
	}
}

// progressBar returns a bar on stderr when stderr is a terminal that the
// export itself is not written to; nil otherwise.
func (a *app) progressBar(ctx context.Context, st store.Store, plan exportPlan) *progressbar.ProgressBar {
	errFile, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(errFile.Fd())) {
		return nil
	}
	if plan.out == "" {
		outFile, ok := a.stdout.(*os.File)
		if !ok || sameFile(outFile, errFile) || term.IsTerminal(int(outFile.Fd())) {
			return nil
		}
	}
	total := int64(-1)
	if n, ok, err := export.CountStories(ctx, st, plan.opts.Filter); err == nil && ok {
		total = n
	} else if plan.opts.Filter == (export.Filter{}) {
		if stats, err := st.Stats(ctx); err == nil {
			total = stats.Stories
		}
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(errFile),
		progressbar.OptionSetDescription("exporting"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("stories"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// sameFile reports whether a and b are the same open file (or terminal).
func sameFile(a, b *os.File) bool {
	sa, err1 := a.Stat()
	sb, err2 := b.Stat()
	return errors.Join(err1, err2) == nil && os.SameFile(sa, sb)
}

// isDatabaseFile reports whether path is the SQLite file of the DSN dsn, so
// that an export never replaces the database it reads.
func isDatabaseFile(path, dsn string) bool {
	if strings.Contains(dsn, "://") && !strings.HasPrefix(dsn, "sqlite://") {
		return false // a server database
	}
	db := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
	pi, err1 := os.Stat(path)
	di, err2 := os.Stat(db)
	if err1 == nil && err2 == nil {
		return os.SameFile(pi, di)
	}
	pa, err1 := filepath.Abs(path)
	da, err2 := filepath.Abs(db)
	return err1 == nil && err2 == nil && pa == da
}
