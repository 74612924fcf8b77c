package internal_test

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The packages under internal/ are the layers below the HTTP server: none may import proxy
// or a command, and the leaves (status, transfer, rules, copyformat) import nothing of sluice's at all.
func TestInternalImportsNothingAbove(t *testing.T) {
	const module = "github.com/sluice-fhir/sluice/"
	leaves := map[string]bool{"status": true, "transfer": true, "rules": true, "copyformat": true}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		pkg, err := build.ImportDir(filepath.Join(".", e.Name()), 0)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		checked++
		code := map[string]bool{}
		for _, imp := range pkg.Imports {
			code[imp] = true
		}
		for _, imp := range append(pkg.Imports, pkg.TestImports...) {
			rest, ours := strings.CutPrefix(imp, module)
			switch {
			case !ours:
			case rest == "proxy" || strings.HasPrefix(rest, "proxy/") || strings.HasPrefix(rest, "cmd/"):
				t.Errorf("internal/%s imports %s, a package above it", e.Name(), imp)
			case leaves[e.Name()] && code[imp]: // a leaf's tests may use the test harness
				t.Errorf("internal/%s is a leaf but imports %s", e.Name(), imp)
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked %d packages under internal/, want every one of them", checked)
	}
}
