package wirecrawl_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestCmdBuildsNoStage: the commands turn flags and config into a
// pipeline.Config and let pipeline.New build the crawl; they call no
// stage constructor but cleaner.New (for `clean`, which cleans one file).
// The import layering (TestLayering) keeps dedup out of cmd; this keeps
// crawler.New out, since cmd imports crawler for its types and seeds.
func TestCmdBuildsNoStage(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("cmd", "wirecrawl", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			switch {
			case pkg.Name == "crawler" && sel.Sel.Name == "New",
				pkg.Name == "dedup" && sel.Sel.Name == "New",
				pkg.Name == "crawler" && sel.Sel.Name == "Crawler":
				t.Errorf("%s: %s.%s: cmd builds no crawler and no deduper; set pipeline.Config and call pipeline.New",
					fset.Position(sel.Pos()), pkg.Name, sel.Sel.Name)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no command source found under cmd/wirecrawl")
	}
}
