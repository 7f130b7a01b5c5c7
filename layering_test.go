package wirecrawl_test

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is this module's import path.
const module = "github.com/wirecrawl/wirecrawl"

// stages are the pipeline's stages: each imports at most the root package
// (the shared Document and story types), never another stage, so that each
// is testable alone and only pipeline knows them all (README, Design).
var stages = []string{"cleaner", "crawler", "dedup", "export"}

// allowed lists, per package of the module (path relative to the module,
// "." for the root), the packages of the module its production code may
// import. A package not listed may import none. Tests are not held to it:
// an integration test of one stage may well use another, or testweb.
var allowed = map[string][]string{
	".":       nil,
	"cleaner": {"."},
	"crawler": {".", "frontier"},
	"dedup":   {"."},
	"export":  {"."},
	// frontier is the crawler's contract with the store (jobs, feed state,
	// fetch log, error classes, the State interface): plain types, no code of
	// the module.
	"frontier": nil,
	// The store implements the interfaces its stages declare
	// (frontier.State, dedup.Index, export.Source), so it imports them; it
	// never imports the crawler itself (nor colly, gofeed, robotstxt).
	"store": {".", "dedup", "export", "frontier"},
	// config turns config.yaml into the stages' Config structs.
	"config":   {".", "cleaner", "crawler", "dedup", "export", "store"},
	"pipeline": {".", "cleaner", "crawler", "dedup", "export", "frontier", "store"},
	// The demo command serves the simulated web: the one place outside the
	// tests where testweb is used. The commands build no crawler and no
	// deduper (pipeline wires the crawl), so no dedup here; crawler is for
	// its types, seeds and URL normalisation, cleaner for `clean`.
	"cmd/wirecrawl": {".", "cleaner", "config", "crawler", "export", "frontier", "metrics", "pipeline", "serve", "store", "testweb"},
	// The Prometheus metrics hear the pipeline (pipeline.Observer, Outcome)
	// and read the store's counts.
	"metrics": {".", "crawler", "dedup", "frontier", "pipeline", "store"},
	// The HTTP server reads the store and exports stories as export does.
	"serve": {".", "export", "store"},
	// Test helpers, imported by tests only.
	"store/storetest":   {".", "dedup", "export", "frontier", "store"},
	"export/exporttest": {".", "dedup", "export", "store"},
	// The simulated web is the ground truth the code is judged by: it must
	// not be built from the code it judges.
	"testweb": nil,
}

// TestLayering checks the import graph of the module's production code
// against the design: stages never import each other, nothing imports cmd,
// production code never imports testweb or a test helper package, and every
// package's allowed imports are written down above (a new package must be
// placed in the layering before it builds on the others).
func TestLayering(t *testing.T) {
	pkgs := modulePackages(t)
	if len(pkgs) < len(allowed)-1 {
		t.Fatalf("found %d packages (%v): the walk missed some", len(pkgs), pkgs)
	}
	for rel, imports := range pkgs {
		ok, listed := allowed[rel]
		if !listed {
			t.Errorf("package %s is not in the layering (layering_test.go, allowed): say which packages of the module it may import", rel)
			continue
		}
		for _, imp := range imports {
			if !slices.Contains(ok, imp) {
				t.Errorf("%s imports %s: %s", rel, imp, why(rel, imp))
			}
		}
	}
}

// why says which rule of the design an import from rel to imp breaks.
func why(rel, imp string) string {
	switch {
	case strings.HasPrefix(imp, "cmd"):
		return "nothing imports cmd"
	case imp == "testweb":
		return "production code never imports testweb (tests may)"
	case strings.HasSuffix(imp, "test"):
		return "a test helper package is for tests only"
	case slices.Contains(stages, rel) && slices.Contains(stages, imp):
		return "stages never import each other; pipeline wires them, and a stage declares an interface for what it needs"
	case slices.Contains(stages, rel):
		return "a stage imports only the root package; persistence reaches it through an interface it declares"
	default:
		return "not in its allowed imports (layering_test.go)"
	}
}

// modulePackages maps each package directory of the module (relative, "."
// for the root) to the packages of the module that its non-test Go files
// import, for the current GOOS and GOARCH.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	root, err := os.Getwd() // the root package's directory is the module root
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("layering: %s is not the module root: %v", root, err)
	}
	pkgs := map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		if path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		p, err := build.Default.ImportDir(path, 0)
		if err != nil {
			if _, none := err.(*build.NoGoError); none {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		var mine []string
		for _, imp := range p.Imports {
			switch {
			case imp == module:
				mine = append(mine, ".")
			case strings.HasPrefix(imp, module+"/"):
				mine = append(mine, strings.TrimPrefix(imp, module+"/"))
			}
		}
		pkgs[rel] = mine
		return nil
	})
	if err != nil {
		t.Fatalf("layering: walking the module: %v", err)
	}
	return pkgs
}
