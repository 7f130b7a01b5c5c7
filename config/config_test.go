package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestShippedConfigMatchesDefaults checks that ../config.yaml parses, names
// every key the code knows, and that its values equal the code's defaults, so
// the file stays an honest list of "every key with its default".
func TestShippedConfigMatchesDefaults(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := Decode(strings.NewReader(string(data)), &cfg); err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	inFile := map[string]bool{}
	var collect func(prefix string, m map[string]any)
	collect = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			if sub, ok := v.(map[string]any); ok {
				collect(key, sub)
				continue
			}
			inFile[key] = true
		}
	}
	collect("", tree)
	for _, key := range Keys() {
		if !inFile[key] {
			t.Errorf("config.yaml does not show key %s with its default", key)
		}
	}
	def := Default()
	for _, key := range Keys() {
		got, _ := cfg.Value(key)
		want, _ := def.Value(key)
		if !reflect.DeepEqual(got, want) && !bothEmptySlices(got, want) {
			t.Errorf("config.yaml shows %s: %v, but its default is %v", key, got, want)
		}
	}
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte("db: from-file.db\nlog:\n  level: warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, false, []string{"WIRECRAWL_LOG_LEVEL=error", "HOME=/x"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DB != "from-file.db" {
		t.Errorf("db = %q, want the file's value", cfg.DB)
	}
	if cfg.Log.Level != "error" {
		t.Errorf("log.level = %q, want the environment's value over the file's", cfg.Log.Level)
	}
	if err := cfg.Set("log.level", "debug"); err != nil {
		t.Fatal(err)
	}
	if cfg.Log.Level != "debug" {
		t.Errorf("log.level = %q after Set, want the flag's value", cfg.Log.Level)
	}
	if cfg.Log.Format != "text" {
		t.Errorf("log.format = %q, want the default", cfg.Log.Format)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, yaml string
		env        []string
		want       string
	}{
		{"unknown key", "dbb: x\n", nil, "dbb"},
		{"unknown nested key", "log:\n  colour: red\n", nil, "colour"},
		{"bad type", "seeds: 3\n", nil, "seeds"},
		{"unknown variable", "", []string{"WIRECRAWL_NO_SUCH=1"}, "WIRECRAWL_NO_SUCH"},
		{"bad value", "log:\n  format: xml\n", nil, "log.format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(path, false, tc.env)
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestSetParsesKinds(t *testing.T) {
	type kinds struct {
		D time.Duration
		B bool
		N int
		F float64
		L []string
	}
	var k kinds
	v := reflect.ValueOf(&k).Elem()
	for i, s := range []string{"1500ms", "true", "42", "0.5", "a, b"} {
		if err := setValue(v.Field(i), s); err != nil {
			t.Fatalf("setValue(%q): %v", s, err)
		}
	}
	want := kinds{1500 * time.Millisecond, true, 42, 0.5, []string{"a", "b"}}
	if !reflect.DeepEqual(k, want) {
		t.Errorf("got %+v, want %+v", k, want)
	}
	for _, bad := range []string{"soon", "maybe", "x"} {
		if err := setValue(v.Field(0), bad); err == nil {
			t.Errorf("setValue(duration, %q) accepted a bad value", bad)
		}
	}
}

// bothEmptySlices reports whether a and b are slices of length 0 (YAML's []
// reads as an empty slice, a Go default is nil: the same setting).
func bothEmptySlices(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Slice && vb.Kind() == reflect.Slice && va.Len() == 0 && vb.Len() == 0
}
