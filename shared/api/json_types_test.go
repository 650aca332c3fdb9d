package api_test

import (
	"net/http"
	"testing"
)

// A field of the wrong type is named with the right article, and a list
// of strings with a null entry (which encoding/json reads as "") is
// refused as such, not as an unknown event type "".
func TestWrongTypesAreWorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_types")
	hook := e.create(tok, createBody("types", "emailOpen"))
	for body, want := range map[string]string{
		`{"name":"x","url":"https://example.com/hooks/n","event_types":"emailOpen"}`:        "event_types must be an array",
		`{"name":{},"url":"https://example.com/hooks/n","event_types":["emailOpen"]}`:       "name must be a string",
		`{"name":"n","url":"https://example.com/hooks/n","event_types":[null]}`:             "event_types must be an array of strings",
		`{"name":"n","url":"https://example.com/hooks/n","event_types":["emailOpen",null]}`: "event_types must be an array of strings",
		`{"name":"n","url":"https://example.com/hooks/n","event_types":["emailOpen",1]}`:    "event_types must be an array of strings",
	} {
		for _, req := range []struct{ method, path string }{{http.MethodPost, webhooksPath}, {http.MethodPatch, webhooksPath + "/" + hook.ID}} {
			if msg := e.do(req.method, req.path, tok, body).wantError(t, http.StatusBadRequest, "invalid_json"); msg != want {
				t.Errorf("%s %s: %q, want %q", req.method, body, msg, want)
			}
		}
	}
}
