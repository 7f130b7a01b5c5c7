// Command wirecrawl crawls news feeds and pages, extracts clean article text,
// merges syndicated duplicates and exports deduplicated corpora.
//
// Configuration comes from config.yaml, then WIRECRAWL_* variables, then flags,
// each overriding the one before.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/config"
	"github.com/wirecrawl/wirecrawl/crawler"
)

// Exit codes: 0 success, 1 the run finished but something failed (or bad input),
// 2 usage or set-up error (nothing started, no database created), 3 another
// crawl holds the database (exitLocked), 4 the store is unusable, 130 interrupted.
const (
	exitFailure     = 1
	exitUsage       = 2
	exitUnusable    = 4
	exitInterrupted = 130
)

// version is the wirecrawl version in --version, dataset cards and WARC and
// Parquet metadata: -ldflags "-X main.version=..." when set at build time,
// else what the Go build information records (see versionOf).
var version = versionOf(ldflagsVersion, readBuildInfo())

// ldflagsVersion is set at build time with -ldflags "-X main.ldflagsVersion=...".
var ldflagsVersion = ""

func readBuildInfo() *debug.BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return info
}

// versionOf is the version to report: set, when given; else the main
// module's version (v1.2.3 from go install ...@v1.2.3); else, for a build
// from a checkout, "devel+" and the VCS revision (12 digits), with "+dirty"
// for uncommitted changes; "devel" when the build recorded neither.
func versionOf(set string, info *debug.BuildInfo) string {
	if set != "" {
		return set
	}
	if info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "devel+" + rev
	if modified == "true" {
		v += "+dirty"
	}
	return v
}

// globalFlags are the flags every subcommand takes.
type globalFlags struct {
	configPath string
	db         string
	logFormat  string
	logLevel   string
	set        []string
}

// app carries what every subcommand needs: the parsed flags and the streams.
type app struct {
	flags  globalFlags
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	env    []string
	// started is set when a command's own code begins: an error before it
	// (unknown command, missing or bad arguments, bad flags) is bad usage.
	started bool
	// command and commandArgs are the command that runs and its
	// arguments, for the crawl record of the dataset card.
	command     string
	commandArgs []string
	// jsonLog says logs are JSON (log.format: json): then every line the
	// command writes on stderr, its last word included, is a JSON object.
	jsonLog bool
}

// errPartial marks a run that finished but had failures; it maps to exit 1
// without a usage message.
var errPartial = errors.New("finished with failures")

// usageError marks a bad invocation or configuration; it maps to exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// defaultMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT
// says otherwise: near it the garbage collector runs sooner, so a crawl
// holding several large bodies and a big feed at once stays well under
// 300 MiB instead of letting its heap double before each collection.
const defaultMemoryLimit = 200 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	a.jsonLog = jsonRequested(args, env)
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var ue usageError
	var se storeUnusableError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &se):
		a.lastWord(slog.LevelError, "store unusable: "+se.err.Error(), exitUnusable, "help", se.help)
		return exitUnusable
	case ctx.Err() != nil:
		a.lastWord(slog.LevelWarn, "interrupted", exitInterrupted)
		return exitInterrupted
	case errors.Is(err, errLocked):
		a.lastWord(slog.LevelWarn, err.Error(), exitLocked,
			"help", "config overlap: exit; set overlap: wait to queue behind it")
		return exitLocked
	case errors.Is(err, errPartial):
		a.lastWord(slog.LevelWarn, err.Error(), exitFailure)
		return exitFailure
	case errors.As(err, &ue):
		a.lastWord(slog.LevelError, err.Error(), exitUsage)
		return exitUsage
	case !a.started:
		// An error before a command's own code began: unknown command,
		// missing or bad arguments, bad flags.
		a.lastWord(slog.LevelError, err.Error(), exitUsage, "help", "run 'wirecrawl --help' for usage")
		return exitUsage
	}
	a.lastWord(slog.LevelError, err.Error(), exitFailure)
	return exitFailure
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "wirecrawl",
		Short:         "Crawl news, extract clean article text, merge wire copies, export corpora",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// Runs after the arguments were validated, before any command's own code.
	root.PersistentPreRun = func(cmd *cobra.Command, args []string) {
		a.started, a.command, a.commandArgs = true, cmd.Name(), args
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&a.flags.configPath, "config", "c", "", "config file (default ./config.yaml if present, or $WIRECRAWL_CONFIG)")
	pf.StringVar(&a.flags.db, "db", "", "store DSN: a file path, sqlite:PATH or postgres://... (overrides db:)")
	pf.StringVar(&a.flags.logFormat, "log-format", "", "log format: text or json (overrides log.format)")
	pf.StringVar(&a.flags.logLevel, "log-level", "", "log level: debug, info, warn, error (overrides log.level)")
	pf.StringArrayVar(&a.flags.set, "set", nil, "override any config key, e.g. --set crawler.delay=2s (repeatable)")
	root.AddCommand(
		a.crawlCommand(),
		a.ingestCommand(),
		a.cleanCommand(),
		a.exportCommand(),
		a.searchCommand(),
		a.statsCommand(),
		a.whyCommand(),
		a.demoCommand(),
		a.configCommand(),
		a.serveCommand(),
	)
	return root
}

// loadConfig builds the configuration: defaults, file, environment, flags.
func (a *app) loadConfig() (config.Config, error) {
	path, optional := a.flags.configPath, false
	if path == "" {
		path = lookupEnv(a.env, "WIRECRAWL_CONFIG")
	}
	if path == "" {
		path, optional = "config.yaml", true
	}
	cfg, err := config.Load(path, optional, a.env)
	if err != nil {
		return cfg, usageError{err}
	}
	overrides := []struct{ key, value string }{
		{"db", a.flags.db}, {"log.format", a.flags.logFormat}, {"log.level", a.flags.logLevel},
	}
	for _, o := range overrides {
		if o.value != "" {
			if err := cfg.Set(o.key, o.value); err != nil {
				return cfg, usageError{fmt.Errorf("flag: %w", err)}
			}
		}
	}
	for _, kv := range a.flags.set {
		key, value, ok := cutEquals(kv)
		if !ok {
			return cfg, usageError{fmt.Errorf("--set %q: want key=value", kv)}
		}
		if err := cfg.Set(key, value); err != nil {
			return cfg, usageError{fmt.Errorf("--set: %w", err)}
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{fmt.Errorf("config: %w", err)}
	}
	a.jsonLog = cfg.Log.Format == "json"
	for _, w := range cfg.Warnings() {
		if a.jsonLog {
			slog.New(slog.NewJSONHandler(a.stderr, nil)).Warn("config: " + w)
			continue
		}
		fmt.Fprintln(a.stderr, "wirecrawl: warning:", w)
	}
	return cfg, nil
}

// logger builds the run's logger from the configuration; logs go to stderr.
func (a *app) logger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

func lookupEnv(env []string, name string) string {
	for _, kv := range env {
		if k, v, ok := cutEquals(kv); ok && k == name {
			return v
		}
	}
	return ""
}

func cutEquals(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], i > 0
		}
	}
	return s, "", false
}

// urlArgs checks that every argument is an http or https URL that
// normalises; it is the Args check of the commands that take URLs.
func urlArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("%s: give at least one URL", cmd.Name())}
	}
	for _, raw := range args {
		if _, err := crawler.NormalizeURL(raw); err != nil {
			return usageError{fmt.Errorf("%s: %w", cmd.Name(), err)}
		}
	}
	return nil
}
