package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/testweb"
)

// demoFlags are the flags of `wirecrawl demo`.
type demoFlags struct {
	seed      int64
	outlets   int
	stories   int
	faults    bool
	crowded   bool
	serveOnly string
	hostile   bool
	append    bool
}

func (f demoFlags) options() testweb.Options {
	return testweb.Options{Seed: f.seed, Outlets: f.outlets, Stories: f.stories, Faults: f.faults, Crowded: f.crowded}
}

// demoCommand starts the simulated news web on loopback and describes it;
// with --serve-only it only serves it until interrupted.
func (a *app) demoCommand() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Crawl a simulated news web on loopback with the real pipeline (the offline first run)",
		Long: `demo starts the simulated news web (package testweb) on loopback addresses:
several outlets, each on its own address, with feeds, sitemaps, robots.txt, wire
stories syndicated with edits, follow-ups and staff stories. It prints the
outlets, the seed URLs, the pages by kind and one wire story with every outlet
that ran it.

With --serve-only ADDR it only serves the web until interrupted, for manual
crawls and benchmarks. ADDR is a loopback host:port (outlet i listens on port+i;
port 0 picks free ports) or a loopback host alone (outlet i on the host's
address plus i, port 8080).

With --serve-only ADDR --hostile it serves the hostile web instead (package
testweb, StartHostile) on the loopback host:port ADDR, plus a private listener
on 127.0.0.2 that redirects point at: compression bombs, endless, trickling and
hanging answers, resets, binary bodies, charset traps, redirect loops, 429/503,
broken and huge feeds. It prints every URL with the outcome a correct crawler
gives it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.outlets < 0 || f.stories < 0 {
				return usageError{errors.New("demo: --outlets and --stories must be >= 0")}
			}
			if f.hostile {
				if f.serveOnly == "" {
					return usageError{errors.New("demo: --hostile needs --serve-only ADDR")}
				}
				if err := testweb.CheckLoopback(f.serveOnly); err != nil {
					return usageError{fmt.Errorf("--serve-only: %w", err)}
				}
				return a.demoServeHostile(cmd.Context(), f.serveOnly, f.seed)
			}
			if f.serveOnly != "" {
				addrs, err := demoAddrs(f.serveOnly, f.options())
				if err != nil {
					return usageError{err}
				}
				return a.demoServe(cmd.Context(), f.options(), addrs)
			}
			if err := a.demoCheckDB(cmd.Context(), f.append); err != nil {
				return err
			}
			return a.demoRun(cmd.Context(), f.options())
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&f.seed, "seed", 1, "seed of the simulated web (same seed, same web)")
	fl.IntVar(&f.outlets, "outlets", 0, "number of outlets (0: testweb's default, 5)")
	fl.IntVar(&f.stories, "stories", 0, "number of underlying stories (0: testweb's default, about 1,000 pages)")
	fl.BoolVar(&f.faults, "faults", false, "faults mode: 429/503/5xx, resets, truncated gzip, slow bodies and trap URLs")
	fl.BoolVar(&f.crowded, "crowded", false, "crowded web: briefs, outlets' standing paragraphs in every article, follow-ups of follow-ups (the hard negatives of a large crawl)")
	fl.StringVar(&f.serveOnly, "serve-only", "", "only serve the web on this loopback ADDR until interrupted")
	fl.BoolVar(&f.append, "append", false, "with --db: crawl into a database that already holds stories (the score then counts them too)")
	fl.BoolVar(&f.hostile, "hostile", false, "with --serve-only: serve the hostile web (bombs, hangs, resets, charset traps, private redirects)")
	return cmd
}

// demoCheckDB refuses a --db that already holds stories or a frontier,
// unless appending: the demo's score is against one simulated web, and
// stories of another crawl would be counted silently.
func (a *app) demoCheckDB(ctx context.Context, appending bool) error {
	if a.flags.db == "" || appending {
		return nil
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if path, ok := store.SQLitePath(cfg.DB); ok {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	st, err := openExisting(ctx, cfg)
	if err != nil {
		return fmt.Errorf("demo: --db: %w", err)
	}
	defer st.Close()
	stats, err := st.Stats(ctx)
	if err != nil {
		return fmt.Errorf("demo: --db: %w", err)
	}
	var jobs int64
	for _, n := range stats.Frontier {
		jobs += n
	}
	if stats.Stories > 0 || jobs > 0 {
		return usageError{fmt.Errorf("demo: --db %s already holds %d stories and %d frontier jobs; name a new database, or add --append to crawl into it (its stories then count in the score)",
			a.flags.db, stats.Stories, jobs)}
	}
	return nil
}

// demoRun starts the web, describes it, crawls it and stops it.
func (a *app) demoRun(ctx context.Context, opts testweb.Options) error {
	web, err := testweb.Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer web.Close()
	describeWeb(a.stdout, web)
	return a.demoCrawl(ctx, web)
}

// demoServe serves the web until ctx is done, after printing its outlets and seeds.
func (a *app) demoServe(ctx context.Context, opts testweb.Options, addrs []string) error {
	opts.Addrs = addrs
	web, err := testweb.Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer web.Close()
	describeOutlets(a.stdout, web)
	describeSeeds(a.stdout, web)
	fmt.Fprintln(a.stdout, "Serving until interrupted (Ctrl-C).")
	<-ctx.Done()
	return nil
}

// demoServeHostile serves the hostile web on addr until ctx is done, after
// printing its seeds and the expected outcome of every URL.
func (a *app) demoServeHostile(ctx context.Context, addr string, seed int64) error {
	h, err := testweb.StartHostile(ctx, testweb.HostileOptions{Seed: seed, Addr: addr})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer h.Close()
	fmt.Fprintf(a.stdout, "Hostile web on %s", h.URL)
	if h.PrivateURL != "" {
		fmt.Fprintf(a.stdout, ", private listener on %s (must never be reached)", h.PrivateURL)
	}
	fmt.Fprintf(a.stdout, "\nCrawl it with allow_private_networks: false and allowed_networks: [%s/32].\n", hostOnly(h.URL))
	fmt.Fprintf(a.stdout, "\nSeeds (%d):\n", len(h.Seeds()))
	for _, s := range h.Seeds() {
		fmt.Fprintf(a.stdout, "  %s\n", s)
	}
	fmt.Fprintln(a.stdout, "\nURLs and their expected outcome:")
	for _, c := range h.Cases() {
		want := "fails: " + c.Class
		switch {
		case c.Stored && c.Deferred && c.Class != "":
			want = "stored later, after " + c.Class
		case c.Stored && c.Deferred:
			want = "stored, now or later"
		case c.Stored && c.Class != "":
			want = "stored after " + c.Class
		case c.Stored:
			want = "stored"
		case c.Deferred:
			want = "left for a later run"
		case c.Polled:
			want = "polled"
		case c.NeverAsked:
			want = "never asked: " + c.Class
		}
		fmt.Fprintf(a.stdout, "  %-31s %-30s %s\n", c.Name, want, c.URL)
	}
	fmt.Fprintln(a.stdout, "Serving until interrupted (Ctrl-C).")
	<-ctx.Done()
	return nil
}

// hostOnly returns the host of a base URL "http://host:port".
func hostOnly(base string) string {
	host, _, err := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	if err != nil {
		return base
	}
	return host
}

// demoAddrs turns --serve-only ADDR into one listen address per outlet.
func demoAddrs(addr string, opts testweb.Options) ([]string, error) {
	n := opts.Outlets
	if n <= 0 {
		n = 5
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		// a host alone: consecutive addresses, port 8080
		ip := net.ParseIP(addr).To4()
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("--serve-only %q: want a loopback host:port or IPv4 loopback host", addr)
		}
		if int(ip[3])+n-1 > 254 {
			return nil, fmt.Errorf("--serve-only %q: not enough addresses for %d outlets", addr, n)
		}
		out := make([]string, n)
		for i := range out {
			out[i] = net.JoinHostPort(net.IPv4(ip[0], ip[1], ip[2], ip[3]+byte(i)).String(), "8080")
		}
		return out, nil
	}
	if err := testweb.CheckLoopback(addr); err != nil {
		return nil, fmt.Errorf("--serve-only: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port+n-1 > 65535 {
		return nil, fmt.Errorf("--serve-only %q: bad port", addr)
	}
	out := make([]string, n)
	for i := range out {
		p := port
		if port != 0 {
			p = port + i
		}
		out[i] = net.JoinHostPort(host, strconv.Itoa(p))
	}
	return out, nil
}

// describeWeb prints the outlets, the pages by kind, the seeds and one
// example wire cluster.
func describeWeb(out io.Writer, web *testweb.Web) {
	st := web.Stats()
	o := web.Options()
	fmt.Fprintf(out, "Simulated news web (seed %d): %d outlets, %d stories, %d article pages\n", o.Seed, st.Outlets, st.Stories, st.Pages)
	if o.Crowded {
		fmt.Fprintln(out, "Crowded: one story in eight a brief, standing paragraphs on a third of the outlets, follow-ups of follow-ups")
	}
	describeOutlets(out, web)
	fmt.Fprintf(out, "\nPages by kind:")
	for _, k := range []string{testweb.KindOriginal, testweb.KindCopy, testweb.KindUpdate, testweb.KindFollowup, testweb.KindStaff} {
		fmt.Fprintf(out, " %s %d,", k, st.ByKind[k])
	}
	fmt.Fprintf(out, " disallowed by robots.txt %d\n", st.Disallowed)
	var langs []string
	for l := range st.ByLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	fmt.Fprintf(out, "Pages by language:")
	for _, l := range langs {
		fmt.Fprintf(out, " %s %d", l, st.ByLang[l])
	}
	fmt.Fprintf(out, "\nStories with syndicated copies or updates: %d\n", st.WireStories)
	if st.Traps > 0 {
		fmt.Fprintf(out, "Faults mode: %d trap URLs, and some article URLs fail their first requests\n", st.Traps)
	}
	fmt.Fprintln(out)
	describeSeeds(out, web)
	describeCluster(out, web)
	describeFollowup(out, web)
}

func describeOutlets(out io.Writer, web *testweb.Web) {
	fmt.Fprintln(out, "\nOutlets:")
	for _, o := range web.Outlets() {
		role := ""
		if o.Wire {
			role = " (wire, " + o.Abbrev + ")"
		}
		fmt.Fprintf(out, "  %2d  %-32s %-26s %-13s %-11s %5d pages\n", o.Index, o.Name+role, o.BaseURL, o.Charset, o.CharsetDecl, o.Pages)
	}
}

func describeSeeds(out io.Writer, web *testweb.Web) {
	seeds := web.Seeds()
	fmt.Fprintf(out, "Seeds (%d):\n", len(seeds))
	for _, s := range seeds {
		fmt.Fprintf(out, "  %s\n", s)
	}
}

// describeCluster prints the wire story that ran on the most outlets.
func describeCluster(out io.Writer, web *testweb.Web) {
	byStory := map[string][]testweb.Page{}
	var order []string
	for _, p := range web.Truth() {
		if _, ok := byStory[p.StoryID]; !ok {
			order = append(order, p.StoryID)
		}
		byStory[p.StoryID] = append(byStory[p.StoryID], p)
	}
	best := ""
	for _, id := range order {
		if len(byStory[id]) > len(byStory[best]) {
			best = id
		}
	}
	if best == "" || len(byStory[best]) < 2 {
		return
	}
	pages := byStory[best]
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].Published.Before(pages[j].Published) })
	fmt.Fprintf(out, "\nExample wire story %s, run by %d pages:\n", best, len(pages))
	for _, p := range pages {
		edits := ""
		if len(p.Edits) > 0 {
			edits = " [edits: " + strings.Join(p.Edits, ", ") + "]"
		}
		fmt.Fprintf(out, "  %-8s %s  %-26s %q%s\n           %s\n", p.Kind, p.Published.Format("Jan 02 15:04"), p.Outlet, p.Title, edits, p.URL)
	}
}

// describeFollowup prints one follow-up and the story it follows: a hard
// negative that quotes the first story but must stay a separate story.
func describeFollowup(out io.Writer, web *testweb.Web) {
	originals := map[string]testweb.Page{}
	truth := web.Truth()
	for _, p := range truth {
		if p.Kind == testweb.KindOriginal {
			originals[p.StoryID] = p
		}
	}
	for _, p := range truth {
		first, ok := originals[p.Related]
		if p.Kind != testweb.KindFollowup || !ok {
			continue
		}
		fmt.Fprintf(out, "\nExample follow-up %s (a different story that quotes %s and repeats its background paragraph):\n", p.StoryID, first.StoryID)
		fmt.Fprintf(out, "  followup %s  %-26s %q\n           %s\n", p.Published.Format("Jan 02 15:04"), p.Outlet, p.Title, p.URL)
		fmt.Fprintf(out, "  follows  %s  %-26s %q\n           %s\n", first.Published.Format("Jan 02 15:04"), first.Outlet, first.Title, first.URL)
		return
	}
}
