package catalog

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// embeddedCatalog is Default for a test: a deployment that broke a file
// sees each test that needs the catalog fail naming it, and the tests of
// Load on their own catalogs still run.
func embeddedCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefaultTypesSortedAndComplete(t *testing.T) {
	c := embeddedCatalog(t)
	var names []string
	for _, typ := range c.Types() {
		names = append(names, typ.Name)
		if strings.TrimSpace(typ.Description) == "" {
			t.Errorf("%s: empty description", typ.Name)
		}
		var schema struct {
			Draft string `json:"$schema"`
		}
		if err := json.Unmarshal(typ.Schema, &schema); err != nil || schema.Draft != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: schema does not declare draft 2020-12 (%q, %v)", typ.Name, schema.Draft, err)
		}
		if !c.Has(typ.Name) {
			t.Errorf("Has(%q) = false for a listed type", typ.Name)
		}
	}
	// A deployment's catalog may add and remove types: only the order and
	// hookrelay's own types are fixed.
	if !slices.IsSorted(names) {
		t.Errorf("Types() = %v, not sorted by name", names)
	}
	for _, own := range []string{TestEvent, WebhookDisabled, WebhookEnabled} {
		if !slices.Contains(names, own) {
			t.Errorf("Types() = %v lacks %s", names, own)
		}
	}
	if c.Has("emailopen") || c.Has("") {
		t.Error("Has accepts names not in the catalog (names are case-sensitive)")
	}
	if again, _ := Default(); again != c {
		t.Error("Default() parsed the catalog again")
	}
}

func TestTypesReturnsACopy(t *testing.T) {
	c := embeddedCatalog(t)
	got := c.Types()
	got[0].Name = "changed"
	if c.Types()[0].Name == "changed" {
		t.Fatal("Types() exposes the catalog's own slice")
	}
}

func TestEveryExampleValidatesAndMayBeExtended(t *testing.T) {
	c := embeddedCatalog(t)
	for _, typ := range c.Types() {
		if err := c.Validate(typ.Name, typ.Example); err != nil {
			t.Errorf("%s example: %v", typ.Name, err)
		}
		// Producers may add fields: additionalProperties must stay open.
		extended := withField(t, typ.Example, func(m map[string]any) { m["x_producer_field"] = map[string]any{"any": 1} })
		if err := c.Validate(typ.Name, extended); err != nil {
			t.Errorf("%s example with an extra field: %v", typ.Name, err)
		}
	}
}

// leadCatalog has a type exercising what Validate's paths must report, so
// that these tests hold whatever types a deployment's catalog ships.
func leadCatalog(t *testing.T) *Catalog {
	t.Helper()
	fsys := minimalCatalog()
	fsys["lead.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"A lead.","type":"object","required":["reason","lead"],
		"properties":{
			"reason":{"type":"string"}, "url":{"type":"string","format":"uri"},
			"occurred_at":{"type":"string","format":"date-time"}, "code":{"type":"integer"},
			"lead":{"type":"object","required":["email"],"properties":{"email":{"type":"string","format":"email"}}},
			"conversation":{"type":"object","properties":{"messages":{"type":"array",
				"items":{"type":"object","properties":{"role":{"enum":["user","assistant"]}}}}}}}}`)}
	fsys["lead.example.json"] = &fstest.MapFile{Data: []byte(`{"reason":"pricing","url":"https://example.com/spring",
		"occurred_at":"2026-11-30T10:00:00Z","code":550,"lead":{"email":"ada@example.com"},
		"conversation":{"messages":[{"role":"user"}]}}`)}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestValidateReportsThePath(t *testing.T) {
	c := leadCatalog(t)
	cases := []struct {
		name, path string
		edit       func(m map[string]any)
	}{
		{"bad nested email", "/lead/email", func(m map[string]any) { m["lead"].(map[string]any)["email"] = "not-an-email" }},
		{"missing nested required", "/lead/email", func(m map[string]any) { delete(m["lead"].(map[string]any), "email") }},
		{"missing top-level required", "/reason", func(m map[string]any) { delete(m, "reason") }},
		{"relative url", "/url", func(m map[string]any) { m["url"] = "/spring" }},
		{"date that is not a date", "/occurred_at", func(m map[string]any) { m["occurred_at"] = "yesterday" }},
		{"number as string", "/code", func(m map[string]any) { m["code"] = "550" }},
		{"array item", "/conversation/messages/0/role", func(m map[string]any) {
			m["conversation"].(map[string]any)["messages"].([]any)[0].(map[string]any)["role"] = "robot"
		}},
		{"deepest of several failures", "/lead/email", func(m map[string]any) {
			delete(m, "reason")
			m["lead"].(map[string]any)["email"] = 42
		}},
	}
	example := exampleOf(t, c, "lead")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Validate("lead", withField(t, example, tc.edit))
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if verr.Path != tc.path || verr.Message == "" {
				t.Fatalf("got path %q (%q), want %q", verr.Path, verr.Message, tc.path)
			}
		})
	}
}

func TestValidateRootErrors(t *testing.T) {
	c := leadCatalog(t)
	for _, data := range []string{`{"message":`, ``, `not json`, `{} {}`, `[1,2]`, `"text"`} {
		var verr *ValidationError
		if err := c.Validate("lead", json.RawMessage(data)); !errors.As(err, &verr) || verr.Path != "/" {
			t.Errorf("Validate(%q) = %v, want *ValidationError at /", data, err)
		}
	}
}

func TestValidateUnknownType(t *testing.T) {
	// No catalog can hold this name (a space), whatever a deployment adds.
	const unknown = "email Forward"
	err := embeddedCatalog(t).Validate(unknown, json.RawMessage(`{}`))
	if !errors.Is(err, ErrUnknownType) || !strings.Contains(err.Error(), unknown) {
		t.Fatalf("err = %v, want ErrUnknownType naming the type", err)
	}
	var verr *ValidationError
	if errors.As(err, &verr) {
		t.Fatal("unknown type reported as a validation error")
	}
}

// A deployment's own catalog, built in memory.
const (
	testSchema  = `{"$schema":"https://json-schema.org/draft/2020-12/schema","description":"test","type":"object","required":["message","webhook_id"]}`
	testExample = `{"message":"hi","webhook_id":"wh_1"}`
)

func minimalCatalog() fstest.MapFS {
	return fstest.MapFS{
		"webhook.test.schema.json":      {Data: []byte(testSchema)},
		"webhook.test.example.json":     {Data: []byte(testExample)},
		"webhook.disabled.schema.json":  {Data: []byte(testSchema)},
		"webhook.disabled.example.json": {Data: []byte(testExample)},
		"webhook.enabled.schema.json":   {Data: []byte(testSchema)},
		"webhook.enabled.example.json":  {Data: []byte(testExample)},
		"orderPaid.schema.json": {Data: []byte(`{"description":"An order was paid.","type":"object",
			"required":["a/b"],"properties":{"a/b":{"type":"object","properties":{"x~y":{"type":"integer"}}}}}`)},
		"orderPaid.example.json": {Data: []byte(`{"a/b":{"x~y":1}}`)},
	}
}

func TestLoadOwnCatalog(t *testing.T) {
	c, err := Load(minimalCatalog())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, typ := range c.Types() {
		names = append(names, typ.Name)
	}
	if !slices.Equal(names, []string{"orderPaid", WebhookDisabled, WebhookEnabled, TestEvent}) {
		t.Fatalf("Types() = %v", names)
	}
	if c.Has("emailOpen") {
		t.Error("a loaded catalog contains the default types")
	}
	// A schema may name the portal's heading for its type; the API serves
	// it inside the schema, not as a field of its own.
	fsys := minimalCatalog()
	fsys["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"Paid.","x-hookrelay-group":" Billing "}`)}
	fsys["orderPaid.example.json"] = &fstest.MapFile{Data: []byte(`{}`)}
	grouped, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range grouped.Types() {
		if want := map[string]string{"orderPaid": "Billing"}[typ.Name]; typ.Group != want {
			t.Errorf("%s's group %q, want %q", typ.Name, typ.Group, want)
		}
	}
	if out, _ := json.Marshal(grouped.Types()[0]); strings.Contains(string(out), `"group"`) || !strings.Contains(string(out), `"x-hookrelay-group":" Billing "`) {
		t.Errorf("the API's form of a grouped type: %s", out)
	}
	// Pointer tokens are escaped per RFC 6901.
	var verr *ValidationError
	if err := c.Validate("orderPaid", json.RawMessage(`{"a/b":{"x~y":"one"}}`)); !errors.As(err, &verr) || verr.Path != "/a~1b/x~0y" {
		t.Fatalf("err = %v, want path /a~1b/x~0y", err)
	}
}

func TestLoadRejectsBrokenCatalogs(t *testing.T) {
	cases := []struct {
		name, want string
		edit       func(fstest.MapFS)
	}{
		{"missing example", "orderPaid.schema.json has no orderPaid.example.json", func(f fstest.MapFS) { delete(f, "orderPaid.example.json") }},
		{"orphan example", "orderShipped.example.json has no orderShipped.schema.json", func(f fstest.MapFS) {
			f["orderShipped.example.json"] = &fstest.MapFile{Data: []byte(`{}`)}
		}},
		{"invalid schema", "orderPaid.schema.json: invalid schema", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","type":12}`)}
		}},
		{"a type JSON Schema does not have", "orderPaid.schema.json: invalid schema: /properties/n/type: value must be one of 'array', 'boolean', 'integer'", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","properties":{"n":{"type":"integr"}}}`)}
		}},
		{"schema not JSON", "orderPaid.schema.json: not JSON", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":`)}
		}},
		{"external ref", "orderPaid.schema.json: $ref \"https://example.com/s.json\": a $ref may only point inside the same file", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","$ref":"https://example.com/s.json"}`)}
		}},
		{"ref to another file", `orderPaid.schema.json: $ref "common.schema.json": a $ref may only point inside the same file (#/...)`, func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","$ref":"common.schema.json"}`)}
		}},
		{"misspelt format", `orderPaid.schema.json: format "datetime" is not one the catalog asserts`, func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","properties":{"paid_at":{"type":"string","format":"datetime"}}}`)}
		}},
		{"misspelt format in $defs", `format "e-mail"`, func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","$defs":{"who":{"format":"e-mail"}}}`)}
		}},
		{"ref to a place the file does not have", `orderPaid.schema.json: invalid schema: json-pointer in "#/$defs/who" not found`, func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","$ref":"#/$defs/who"}`)}
		}},
		{"example not JSON", "orderPaid.example.json: not JSON", func(f fstest.MapFS) {
			f["orderPaid.example.json"] = &fstest.MapFile{Data: []byte(`{"a/b":`)}
		}},
		{"no description", "orderPaid.schema.json: a schema needs a top-level description", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"type":"object"}`)}
		}},
		{"example fails its schema", "orderPaid.example.json: does not validate against its schema: /a~1b", func(f fstest.MapFS) {
			f["orderPaid.example.json"] = &fstest.MapFile{Data: []byte(`{"a/b":"x"}`)}
		}},
		{"no test event", "webhook.test.schema.json is missing: every catalog must define webhook.test", func(f fstest.MapFS) {
			delete(f, "webhook.test.schema.json")
			delete(f, "webhook.test.example.json")
		}},
		{"no health notice type", "webhook.disabled.schema.json is missing", func(f fstest.MapFS) {
			delete(f, "webhook.disabled.schema.json")
			delete(f, "webhook.disabled.example.json")
		}},
		{"name the pipeline would escape", `type name "order\"paid"`, func(f fstest.MapFS) {
			f[`order"paid.schema.json`] = &fstest.MapFile{Data: []byte(`{"description":"x"}`)}
			f[`order"paid.example.json`] = &fstest.MapFile{Data: []byte(`{}`)}
		}},
		{"name longer than the pipeline budgets", "must be 1 to 128", func(f fstest.MapFS) {
			long := strings.Repeat("o", 129)
			f[long+".schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x"}`)}
			f[long+".example.json"] = &fstest.MapFile{Data: []byte(`{}`)}
		}},
		{"group not a string", `orderPaid.schema.json: "x-hookrelay-group" must be a non-empty string of at most 40 characters, not 7`, func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","x-hookrelay-group":7}`)}
		}},
		{"empty group", `"x-hookrelay-group" must be a non-empty string`, func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","x-hookrelay-group":" "}`)}
		}},
		{"group longer than a heading", `"x-hookrelay-group" must be a non-empty string of at most 40`, func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","x-hookrelay-group":"` + strings.Repeat("g", 41) + `"}`)}
		}},
		{"stray file", "notes.json: want <name>.schema.json", func(f fstest.MapFS) {
			f["notes.json"] = &fstest.MapFile{Data: []byte(`{}`)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := minimalCatalog()
			tc.edit(fsys)
			_, err := Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.want)
			}
			// One line, naming the file as it is, not the compiler's URL of it.
			if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, resourceBase) {
				t.Fatalf("Load error = %q, want one line without %s", msg, resourceBase)
			}
			// The embedded catalog's errors give the file's place in the repository.
			_, err = load(fsys, true, embeddedDir)
			if err == nil || !strings.Contains(err.Error(), embeddedDir) {
				t.Fatalf("embedded load error = %v, want it to name the file under %s", err, embeddedDir)
			}
		})
	}
}

func exampleOf(t *testing.T, c *Catalog, name string) json.RawMessage {
	t.Helper()
	for _, typ := range c.Types() {
		if typ.Name == name {
			return typ.Example
		}
	}
	t.Fatalf("no type %q", name)
	return nil
}

// withField decodes an object, applies edit and re-encodes it.
func withField(t *testing.T, data json.RawMessage, edit func(map[string]any)) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Default compiles a schema on first use; CheckEmbedded, which `make
// build` and `hookrelay dev` run first, checks everything at once. The
// embedded catalog must pass that full check, and Default must validate
// every example once compiled, concurrently.
func TestEmbeddedCatalogPassesTheFullLoad(t *testing.T) {
	if err := CheckEmbedded(); err != nil {
		t.Fatal(err)
	}
	c := embeddedCatalog(t)
	var wg sync.WaitGroup
	for _, typ := range c.Types() {
		wg.Go(func() {
			if err := c.Validate(typ.Name, typ.Example); err != nil {
				t.Errorf("%s: example does not validate: %v", typ.Name, err)
			}
		})
	}
	wg.Wait()
}

// A catalog broken past the build's check reaches Default as an error the
// Lambdas' cold start reports (app.Fatal), not as a panic.
func TestDefaultReportsABrokenCatalog(t *testing.T) {
	broken := minimalCatalog()
	broken["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":`)}
	typesFS, defaultCatalog = broken, sync.OnceValues(loadDefault)
	t.Cleanup(func() { typesFS, defaultCatalog = embeddedTypes(), sync.OnceValues(loadDefault) })

	c, err := Default()
	if c != nil || err == nil || !strings.Contains(err.Error(), "catalog/types/orderPaid.schema.json: not JSON") {
		t.Fatalf("Default() = %v, %v; want the error naming catalog/types/orderPaid.schema.json", c, err)
	}
	if err := CheckEmbedded(); err == nil || !strings.Contains(err.Error(), "catalog/types/orderPaid.schema.json") {
		t.Fatalf("CheckEmbedded() = %v, want the error naming the file", err)
	}
}

// The embedded catalog compiles a schema on first use: a schema the build's
// check never saw fails Validate naming its file, not the type alone.
func TestLazyCompileErrorNamesTheFile(t *testing.T) {
	fsys := minimalCatalog()
	fsys["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","properties":{"n":{"type":"integr"}}}`)}
	c, err := load(fsys, false, embeddedDir)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate("orderPaid", json.RawMessage(`{"n":1}`))
	want := "catalog: catalog/types/orderPaid.schema.json: invalid schema: /properties/n/type: "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Validate error = %v, want it to start %q", err, want)
	}
}

// A property named "format", and data values (enum, const, default,
// examples) holding a "format" key, are not format keywords.
func TestLoadTakesFormatsOnlyFromSchemaKeywords(t *testing.T) {
	fsys := minimalCatalog()
	fsys["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","type":"object",
		"properties":{"format":{"type":"string","format":"date-time"},
			"shape":{"enum":[{"format":"square"}],"default":{"format":"round"},"examples":[{"format":"oval"}]}}}`)}
	fsys["orderPaid.example.json"] = &fstest.MapFile{Data: []byte(`{"format":"2026-11-30T10:00:00Z","shape":{"format":"square"}}`)}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate("orderPaid", json.RawMessage(`{"format":"yesterday"}`)); err == nil {
		t.Error("the date-time format of the property named format is not asserted")
	}
}
