package catalog

import (
	"encoding/json"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// The types the seeds define; a deployment's catalog may differ, the
// default one must not lose any of these.
var wantTypes = []string{
	"buyer-intent-detected", "contactUnsubscribe", "emailClick", "emailHardBounce",
	"emailOpen", "emailSoftBounce", "new-contact", "new-question", "new-session",
	"session-active", "session-escalated", "webhook.disabled", "webhook.enabled", "webhook.test",
}

func TestDefaultTypesSortedAndComplete(t *testing.T) {
	c := Default()
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
	if !slices.Equal(names, wantTypes) {
		t.Fatalf("Types() = %v\nwant      %v", names, wantTypes)
	}
	if c.Has("emailopen") || c.Has("") {
		t.Error("Has accepts names not in the catalog (names are case-sensitive)")
	}
	if Default() != c {
		t.Error("Default() parsed the catalog again")
	}
}

func TestTypesReturnsACopy(t *testing.T) {
	c := Default()
	got := c.Types()
	got[0].Name = "changed"
	if c.Types()[0].Name == "changed" {
		t.Fatal("Types() exposes the catalog's own slice")
	}
}

func TestEveryExampleValidatesAndMayBeExtended(t *testing.T) {
	c := Default()
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

func TestValidateReportsThePath(t *testing.T) {
	c := Default()
	cases := []struct {
		name, typ, path string
		edit            func(m map[string]any)
	}{
		{"bad nested email", "new-contact", "/lead/email", func(m map[string]any) { m["lead"].(map[string]any)["email"] = "not-an-email" }},
		{"missing nested required", "new-contact", "/lead/email", func(m map[string]any) { delete(m["lead"].(map[string]any), "email") }},
		{"missing top-level required", "session-escalated", "/escalation_reason", func(m map[string]any) { delete(m, "escalation_reason") }},
		{"relative click url", "emailClick", "/url", func(m map[string]any) { m["url"] = "/spring" }},
		{"date that is not a date", "emailOpen", "/occurred_at", func(m map[string]any) { m["occurred_at"] = "yesterday" }},
		{"number as string", "emailHardBounce", "/smtp_code", func(m map[string]any) { m["smtp_code"] = "550" }},
		{"array item", "session-active", "/conversation/messages/0/role", func(m map[string]any) {
			m["conversation"].(map[string]any)["messages"].([]any)[0].(map[string]any)["role"] = "robot"
		}},
		{"deepest of several failures", "buyer-intent-detected", "/lead/email", func(m map[string]any) {
			delete(m, "buyer_intent_reason")
			m["lead"].(map[string]any)["email"] = 42
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			example := exampleOf(t, c, tc.typ)
			err := c.Validate(tc.typ, withField(t, example, tc.edit))
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
	c := Default()
	for _, data := range []string{`{"message":`, ``, `not json`, `{} {}`, `[1,2]`, `"text"`} {
		var verr *ValidationError
		if err := c.Validate(TestEvent, json.RawMessage(data)); !errors.As(err, &verr) || verr.Path != "/" {
			t.Errorf("Validate(%q) = %v, want *ValidationError at /", data, err)
		}
	}
}

func TestValidateUnknownType(t *testing.T) {
	err := Default().Validate("emailForward", json.RawMessage(`{}`))
	if !errors.Is(err, ErrUnknownType) || !strings.Contains(err.Error(), "emailForward") {
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
		"webhook.test.schema.json":  {Data: []byte(testSchema)},
		"webhook.test.example.json": {Data: []byte(testExample)},
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
	if !slices.Equal(names, []string{"orderPaid", TestEvent}) {
		t.Fatalf("Types() = %v", names)
	}
	if c.Has("emailOpen") {
		t.Error("a loaded catalog contains the default types")
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
		{"invalid schema", "orderPaid: invalid schema", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","type":12}`)}
		}},
		{"schema not JSON", "orderPaid: schema is not JSON", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":`)}
		}},
		{"external ref", "orderPaid: invalid schema", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"x","$ref":"https://example.com/s.json"}`)}
		}},
		{"no description", "orderPaid: schema needs a top-level description", func(f fstest.MapFS) {
			f["orderPaid.schema.json"] = &fstest.MapFile{Data: []byte(`{"type":"object"}`)}
		}},
		{"example fails its schema", "orderPaid: example does not validate: /a~1b", func(f fstest.MapFS) {
			f["orderPaid.example.json"] = &fstest.MapFile{Data: []byte(`{"a/b":"x"}`)}
		}},
		{"no test event", "must define webhook.test", func(f fstest.MapFS) {
			delete(f, "webhook.test.schema.json")
			delete(f, "webhook.test.example.json")
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

// Default compiles a schema on first use; Load, which deployments with
// their own catalog go through, checks everything at once. The embedded
// catalog must pass that full check, and Default must validate every
// example once compiled, concurrently.
func TestEmbeddedCatalogPassesTheFullLoad(t *testing.T) {
	sub, err := fs.Sub(embedded, "types")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(sub); err != nil {
		t.Fatalf("embedded catalog: %v", err)
	}
	var wg sync.WaitGroup
	for _, typ := range Default().Types() {
		wg.Go(func() {
			if err := Default().Validate(typ.Name, typ.Example); err != nil {
				t.Errorf("%s: example does not validate: %v", typ.Name, err)
			}
		})
	}
	wg.Wait()
}
