package depcheck

import (
	"os"
	"strings"
	"testing"
)

// docs/internals.md maps every package of the module in one line.
func TestInternalsNamesEveryPackage(t *testing.T) {
	b, err := os.ReadFile("../docs/internals.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(b), "## Packages")
	table, _, _ = strings.Cut(table, "\n## ")
	for name := range graph(t) {
		if !strings.Contains(table, "`"+name+"`") {
			t.Errorf("docs/internals.md's package table does not name %s", name)
		}
	}
}
