package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hookrelay/hookrelay/"

// graph maps each of the module's packages (without the module prefix) to
// the import paths of everything it links, standard library included.
// Test-only imports are not linked, so they are not in it.
func graph(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./...")
	cmd.Dir = ".." // the module root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	g := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			g[strings.TrimPrefix(fields[0], module)] = fields[1:]
		}
	}
	return g
}

// packagesUnder lists the module's packages below dir.
func packagesUnder(g map[string][]string, dir string) []string {
	var out []string
	for p := range g {
		if strings.HasPrefix(p, dir+"/") {
			out = append(out, p)
		}
	}
	return out
}
