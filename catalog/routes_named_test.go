package catalog

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// routeNamed is an API route as the catalog's texts name one: a method and
// a path.
var routeNamed = regexp.MustCompile(`\b(GET|POST|PATCH|PUT|DELETE) (/[^\s"'` + "`" + `,)]*)`)

// TestTheCatalogNamesRoutesAsTheAPIServesThem: a type's description is
// shown in the portal's event picker and the API's event-type list, so a
// route it names must be one a tenant can call, under /api/v1/.
func TestTheCatalogNamesRoutesAsTheAPIServesThem(t *testing.T) {
	files, err := filepath.Glob("types/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalog types (%v)", err)
	}
	named := 0
	for _, f := range append(files, "README.md") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range routeNamed.FindAllStringSubmatch(string(b), -1) {
			named++
			if !strings.HasPrefix(m[2], "/api/v1/") {
				t.Errorf("%s names %q, which the API does not serve (its routes start /api/v1/)", f, m[0])
			}
		}
	}
	if named == 0 {
		t.Fatal("no route named anywhere: the pattern finds nothing")
	}
}
