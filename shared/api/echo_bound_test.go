package api_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/api"
)

// Messages that repeat what a client sent (a key, an event type, an
// address) repeat only its start: a body of 1 MB with a 900 KB key must
// not come back whole in the error, nor reach a log.
func TestErrorsEchoOnlyTheStartOfClientText(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withCatalog(t, fstest.MapFS{
		// A deployment's type whose schema checks keys the client names.
		"tags.schema.json":  {Data: []byte(`{"description":"Tags.","type":"object","additionalProperties":{"type":"string"}}`)},
		"tags.example.json": {Data: []byte(`{"a":"b"}`)},
	}))
	tok := e.token("org_echo")
	long := "kxxxxxxxxx" + strings.Repeat("😀", 2_500) // 10,000 bytes; 100 characters are 373 bytes
	for _, c := range []struct {
		what, path, body string
		status           int
		code, start      string
		max              int // 200 unless the wording is long
	}{
		{"unknown field", webhooksPath, `{"name":"a","url":"https://example.com/h","all_events":true,"` + long + `":1}`,
			http.StatusBadRequest, "unknown_field", `unknown field "kxxxxxxxx`, 0},
		{"unknown event type", webhooksPath, `{"name":"a","url":"https://example.com/h","event_types":["` + long + `"]}`,
			http.StatusBadRequest, "unknown_event_type", `event_types: unknown event type "kxxxxxxxx`, 0},
		{"zoned address", webhooksPath, `{"name":"a","url":"https://[fe80::1%25` + strings.Repeat("z", 2000) + `]/h","all_events":true}`,
			http.StatusBadRequest, "invalid_url", "url points to fe80::1%zzzzzzzz", 300},
		{"unknown event name", "/api/v1/events", `{"event_name":"` + long + `","data":{}}`,
			http.StatusUnprocessableEntity, "unknown_event_type", `event_name: unknown event type "kxxxxxxxx`, 0},
		{"repeated key in data", "/api/v1/events", `{"event_name":"tags","data":{"` + long + `":"a","` + long + `":"b"}}`,
			http.StatusBadRequest, "invalid_json", `request body repeats the key "kxxxxxxxx`, 0},
		{"schema failure at a key", "/api/v1/events", `{"event_name":"tags","data":{"` + long + `":1}}`,
			http.StatusUnprocessableEntity, "invalid_event_data", "data/kxxxxxxxx", 0},
	} {
		msg := e.do(http.MethodPost, c.path, tok, c.body).wantError(t, c.status, c.code)
		if c.max == 0 {
			c.max = 200
		}
		if len(msg) > c.max || !strings.HasPrefix(msg, c.start) {
			t.Errorf("%s: %d-byte message %.300q, want at most %d bytes starting %q", c.what, len(msg), msg, c.max, c.start)
		}
	}
}

// A method no route takes is named in the 405 by its start: Go's server
// takes any token as a method, a megabyte long if the headers allow.
func TestMethodNotAllowedEchoesOnlyTheStartOfTheMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	method := "PURGE" + strings.Repeat("X", 10_000)
	msg := e.do(method, webhooksPath, e.token("org_echo"), nil).wantError(t, http.StatusMethodNotAllowed, "method_not_allowed")
	if len(msg) > 200 || !strings.HasPrefix(msg, "method PURGEXXXX") {
		t.Errorf("%d-byte message %.300q, want at most 200 bytes naming the method's start", len(msg), msg)
	}
	if msg := e.do(http.MethodPut, webhooksPath, e.token("org_echo"), nil).wantError(t, http.StatusMethodNotAllowed, "method_not_allowed"); msg != "method PUT is not allowed on this route" {
		t.Errorf("PUT: %q", msg)
	}
}

// withCatalog serves the embedded catalog's own event types and the
// types of fsys.
func withCatalog(t *testing.T, fsys fstest.MapFS) envOption {
	t.Helper()
	own := `{"description":"Own.","type":"object"}`
	for _, name := range []string{catalog.TestEvent, catalog.WebhookDisabled, catalog.WebhookEnabled} {
		fsys[name+".schema.json"] = &fstest.MapFile{Data: []byte(own)}
		fsys[name+".example.json"] = &fstest.MapFile{Data: []byte(`{}`)}
	}
	c, err := catalog.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return func(d *api.Deps) { d.Catalog = c }
}
