package dlq

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/hookrelay/hookrelay/shared/message"
)

// The admin API's schemas are open (a validator accepts fields they do not
// name), so a field the answer carries but the document omits goes
// unnoticed by the response checks, and clients generated from the
// document drop it. Every JSON field of the answers' types must be named.
func TestOpenAPINamesEveryFieldOfTheAdminAnswers(t *testing.T) {
	raw, err := os.ReadFile("../api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	schemas := doc.Components.Schemas
	deadLetter := schemas["DeadLetter"].Value
	redrive := schemas["RedriveResult"].Value
	for _, c := range []struct {
		schema string
		props  openapi3.Schemas
		typ    reflect.Type
	}{
		{"DeadLetter", deadLetter.Properties, reflect.TypeFor[Entry]()},
		{"DeadLetter.delivery", deadLetter.Properties["delivery"].Value.Properties, reflect.TypeFor[message.Delivery]()},
		{"RedriveResult", redrive.Properties, reflect.TypeFor[Result]()},
		{"RedriveResult.skipped", redrive.Properties["skipped"].Value.Items.Value.Properties, reflect.TypeFor[Skipped]()},
	} {
		for _, name := range jsonFields(c.typ) {
			if c.props[name] == nil {
				t.Errorf("%s does not name %q, which the answer carries", c.schema, name)
			}
		}
	}
}

// jsonFields are the names encoding/json writes for typ's exported fields.
func jsonFields(typ reflect.Type) []string {
	var names []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}
