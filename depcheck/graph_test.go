package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hookrelay/hookrelay/"

// pkg is one of the module's packages as `go list` sees it. Test-only
// imports are not linked, so they are in neither list.
type pkg struct {
	imports []string // direct imports
	deps    []string // everything linked, standard library included
}

// graph maps each of the module's packages (without the module prefix) to
// its imports.
func graph(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .Deps \" \"}}", "./...")
	cmd.Dir = ".." // the module root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	g := map[string]pkg{}
	for line := range strings.Lines(string(out)) {
		parts := strings.Split(strings.TrimSpace(line), "|")
		if len(parts) == 3 {
			g[strings.TrimPrefix(parts[0], module)] = pkg{imports: strings.Fields(parts[1]), deps: strings.Fields(parts[2])}
		}
	}
	return g
}

// packagesUnder lists the module's packages below dir.
func packagesUnder(g map[string]pkg, dir string) []string {
	var out []string
	for p := range g {
		if strings.HasPrefix(p, dir+"/") {
			out = append(out, p)
		}
	}
	return out
}

// linksPrefix returns the deps of p that start with one of prefixes, or are
// the one a prefix ending in "$" names (module packages are matched without
// the module prefix).
func linksPrefix(p pkg, prefixes ...string) []string {
	var out []string
	for _, dep := range p.deps {
		for _, pre := range prefixes {
			path := strings.TrimPrefix(dep, module)
			if exact, ok := strings.CutSuffix(pre, "$"); ok && path == exact || !ok && strings.HasPrefix(path, pre) {
				out = append(out, dep)
				break
			}
		}
	}
	return out
}
