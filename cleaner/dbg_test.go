package cleaner

import (
	readability "codeberg.org/readeck/go-readability/v2"
	"net/url"
	"os"
	"strings"
	"testing"

	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
)

func TestDbg(t *testing.T) {
	id := os.Getenv("DBG")
	if id == "" {
		t.Skip()
	}
	for _, p := range loadDevCorpus(t) {
		if !strings.HasPrefix(p.ID, id) {
			continue
		}
		src, _ := decode(p.HTML, "")
		root, _ := parseHTML(src)
		prune(root)
		t.Logf("PRUNED:\n%s", render.InnerText(root))
	}
}

func TestDbgChain(t *testing.T) {
	id := os.Getenv("DBG")
	needle := os.Getenv("NEEDLE")
	if id == "" {
		t.Skip()
	}
	for _, p := range loadDevCorpus(t) {
		if !strings.HasPrefix(p.ID, id) {
			continue
		}
		src, _ := decode(p.HTML, "")
		root, _ := parseHTML(src)
		w := measure(root)
		t.Logf("total %d", w.total)
		done := false
		walk(root, func(n *html.Node) bool {
			if done || n.Type != html.TextNode || !strings.Contains(n.Data, needle) {
				return true
			}
			done = true
			for a := n.Parent; a != nil; a = a.Parent {
				if a.Type == html.ElementNode {
					t.Logf("<%s class=%q id=%q role=%q> weight %d boiler %v minor %v", a.Data, attr(a, "class"), attr(a, "id"), attr(a, "role"), w.of[a], isBoilerName(a), w.minor(a))
				}
			}
			return false
		})
	}
}

func TestDbgRead(t *testing.T) {
	id := os.Getenv("DBG")
	if id == "" {
		t.Skip()
	}
	for _, p := range loadDevCorpus(t) {
		if !strings.HasPrefix(p.ID, id) {
			continue
		}
		src, _ := decode(p.HTML, "")
		root, _ := parseHTML(src)
		prune(root)
		ps := readability.NewParser()
		ps.KeepClasses = true
		u, _ := url.Parse(p.URL)
		art, _ := ps.ParseAndMutate(root, u)
		var b strings.Builder
		html.Render(&b, art.Node)
		t.Logf("READ:\n%s", b.String())
	}
}
