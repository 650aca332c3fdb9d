package depcheck

import "testing"

// deliver only sends hookrelay's own event types (catalog/ownevents); the
// catalog and its JSON Schema library would add 0.7 MB to its binary and
// compile their meta-schemas at every cold start.
func TestDeliverLinksNoSchemaLibrary(t *testing.T) {
	g := graph(t)
	fn, ok := g["functions/deliver"]
	if !ok {
		t.Fatal("functions/deliver not found")
	}
	for _, dep := range fn.deps {
		if dep == module+"catalog" || dep == "github.com/santhosh-tekuri/jsonschema/v6" {
			t.Errorf("functions/deliver links %s", dep)
		}
	}
}
