// Package config reads config.yaml, the WIRECRAWL_* environment and command-line
// overrides into one Config, in that order of increasing precedence, and
// validates it. It is used only by cmd/wirecrawl: stages receive their own
// Config structs and never read the file or the environment themselves.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wirecrawl/wirecrawl/cleaner"
	"github.com/wirecrawl/wirecrawl/crawler"
	"github.com/wirecrawl/wirecrawl/dedup"
	"github.com/wirecrawl/wirecrawl/store"
)

// EnvPrefix starts every environment variable that overrides a key:
// crawler.user_agent is WIRECRAWL_CRAWLER_USER_AGENT.
const EnvPrefix = "WIRECRAWL_"

// Config is the whole configuration of one wirecrawl run.
type Config struct {
	// DB is the store's DSN: a file path or sqlite:PATH, or postgres://...
	DB string `yaml:"db"`
	// Seeds lists seed files (one URL per line, or OPML) and/or URLs.
	Seeds []string `yaml:"seeds"`
	// Overlap says what a crawl does when another crawl holds the database:
	// "exit" (at once, with a message and exit status 3) or "wait".
	Overlap string `yaml:"overlap"`
	// Log configures logging.
	Log LogConfig `yaml:"log"`
	// Crawler configures fetching.
	Crawler crawler.Config `yaml:"crawler"`
	// Cleaner configures main-content extraction.
	Cleaner cleaner.Config `yaml:"cleaner"`
	// Dedup configures near-duplicate detection.
	Dedup dedup.Config `yaml:"dedup"`
	// Store configures what is persisted.
	Store store.Config `yaml:"store"`
}

// LogConfig says how the run logs.
type LogConfig struct {
	// Format is "text" or "json".
	Format string `yaml:"format"`
	// Level is "debug", "info", "warn" or "error".
	Level string `yaml:"level"`
}

// Default returns the configuration used when no file, variable or flag says
// otherwise, with every stage's defaults filled in.
func Default() Config {
	return Config{
		DB:      "wirecrawl.db",
		Seeds:   []string{"seeds/feeds.txt"},
		Overlap: "exit",
		Log:     LogConfig{Format: "text", Level: "info"},
		Crawler: crawler.Config{}.WithDefaults(),
		Cleaner: cleaner.Config{}.WithDefaults(),
		Dedup:   dedup.Config{}.WithDefaults(),
		Store:   store.Config{}.WithDefaults(),
	}
}

// Load reads the YAML file at path over the defaults (a missing file is not an
// error when optional is true), then applies WIRECRAWL_* variables from environ.
// Unknown keys and values of the wrong type are errors that name the key.
func Load(path string, optional bool, environ []string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			if err := Decode(bytes.NewReader(data), &cfg); err != nil {
				return cfg, fmt.Errorf("config %s: %w", path, err)
			}
		case optional && errors.Is(err, os.ErrNotExist):
		default:
			return cfg, fmt.Errorf("config: %w", err)
		}
	}
	if err := ApplyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Decode reads YAML into cfg, rejecting keys that cfg does not have. Errors
// name the dotted key they are about.
func Decode(r io.Reader, cfg *Config) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(cfg)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		var line int
		if _, scanErr := fmt.Sscanf(m, "line %d:", &line); scanErr == nil {
			if key := keyAtLine(&root, "", line); key != "" {
				msgs[i] = key + ": " + m
			}
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// keyAtLine returns the dotted key whose key or value starts on line.
func keyAtLine(n *yaml.Node, prefix string, line int) string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if k := keyAtLine(c, prefix, line); k != "" {
				return k
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := k.Value
			if prefix != "" {
				key = prefix + "." + key
			}
			if sub := keyAtLine(v, key, line); sub != "" {
				return sub
			}
			if k.Line == line || v.Line == line {
				return key
			}
		}
	}
	return ""
}

// ApplyEnv sets every key named by a WIRECRAWL_* variable in environ.
// A variable that names no key is an error, so typos do not pass silently.
func ApplyEnv(cfg *Config, environ []string) error {
	keys := map[string]string{}
	for _, k := range Keys() {
		keys[EnvName(k)] = k
	}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		key, known := keys[name]
		if !known {
			if isToolVariable(name) {
				continue
			}
			return fmt.Errorf("environment %s: no such config key", name)
		}
		if err := cfg.Set(key, value); err != nil {
			return fmt.Errorf("environment %s: %w", name, err)
		}
	}
	return nil
}

// isToolVariable reports variables that belong to the tool or its tests, not to config.yaml.
func isToolVariable(name string) bool {
	return strings.HasPrefix(name, EnvPrefix+"TEST_") || name == EnvPrefix+"CONFIG"
}

// EnvName is the environment variable for a dotted key.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Keys lists every settable dotted key ("crawler.user_agent"), sorted.
func Keys() []string {
	var keys []string
	walk(reflect.TypeOf(Config{}), "", func(key string, _ []int) { keys = append(keys, key) })
	sort.Strings(keys)
	return keys
}

func walk(t reflect.Type, prefix string, fn func(key string, index []int)) {
	var rec func(t reflect.Type, prefix string, index []int)
	rec = func(t reflect.Type, prefix string, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := yamlName(f)
			if name == "" {
				continue
			}
			key := name
			if prefix != "" {
				key = prefix + "." + name
			}
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
				rec(f.Type, key, idx)
				continue
			}
			fn(key, idx)
		}
	}
	rec(t, prefix, nil)
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// Value returns the value of the dotted key; ok is false for an unknown key.
func (c Config) Value(key string) (value any, ok bool) {
	var index []int
	walk(reflect.TypeOf(c), "", func(k string, idx []int) {
		if k == key {
			index = idx
		}
	})
	if index == nil {
		return nil, false
	}
	return reflect.ValueOf(c).FieldByIndex(index).Interface(), true
}

// Set parses value into the dotted key, as a flag or variable would.
// Lists are comma-separated; durations use Go syntax ("1s", "500ms").
func (c *Config) Set(key, value string) error {
	var index []int
	walk(reflect.TypeOf(*c), "", func(k string, idx []int) {
		if k == key {
			index = idx
		}
	})
	if index == nil {
		return fmt.Errorf("%s: no such config key", key)
	}
	field := reflect.ValueOf(c).Elem().FieldByIndex(index)
	if err := setValue(field, value); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

func setValue(v reflect.Value, s string) error {
	s = strings.TrimSpace(s)
	if v.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("invalid duration %q", s)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("invalid boolean %q", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid integer %q", s)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid unsigned integer %q", s)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("invalid number %q", s)
		}
		v.SetFloat(f)
	case reflect.Slice:
		var parts []string
		if s != "" {
			for _, p := range strings.Split(s, ",") {
				parts = append(parts, strings.TrimSpace(p))
			}
		}
		out := reflect.MakeSlice(v.Type(), len(parts), len(parts))
		for i, p := range parts {
			if err := setValue(out.Index(i), p); err != nil {
				return err
			}
		}
		v.Set(out)
	default:
		return fmt.Errorf("cannot set a %s from text", v.Kind())
	}
	return nil
}

// validator is implemented by stage configs that check their own fields.
type validator interface{ Validate() error }

// Validate checks the whole configuration; an error names the bad key.
func (c *Config) Validate() error {
	if err := c.checkBounds(); err != nil {
		return err
	}
	if strings.TrimSpace(c.DB) == "" {
		return errors.New("db: must not be empty")
	}
	switch c.Overlap {
	case "exit", "wait":
	default:
		return fmt.Errorf("overlap: %q is not exit or wait", c.Overlap)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return fmt.Errorf("log.format: %q is not text or json", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	stages := []struct {
		key string
		cfg any
	}{{"crawler", &c.Crawler}, {"cleaner", &c.Cleaner}, {"dedup", &c.Dedup}, {"store", &c.Store}}
	for _, s := range stages {
		if v, ok := s.cfg.(validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("%s.%w", s.key, err)
			}
		}
	}
	return nil
}
