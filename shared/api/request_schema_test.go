package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestRequestSchemasAgreeWithTheHandlers: for bodies at the edges of the
// webhook rules, the OpenAPI request schema and the API give the same
// verdict, so a client or contract test driven by the schema neither sends
// a body the API refuses nor avoids one it takes.
func TestRequestSchemasAgreeWithTheHandlers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc, err := openapi3.NewLoader().LoadFromData(e.do(http.MethodGet, "/openapi.json", "", nil).body)
	if err != nil {
		t.Fatal(err)
	}
	tok := e.token("org_schema")
	hook := e.create(tok, createBody("schema", "emailOpen"))
	everything := e.create(tok, map[string]any{"name": "all", "url": "https://example.com/all", "all_events": true})

	for _, c := range []struct {
		method, path, schema, body string
		status                     int
	}{
		{http.MethodPost, webhooksPath, "WebhookCreate", `{"name":"a","url":"https://example.com/a","all_events":true}`, http.StatusCreated},
		{http.MethodPost, webhooksPath, "WebhookCreate", `{"name":"b","url":"https://example.com/b","event_types":["emailOpen"],"all_events":false}`, http.StatusCreated},
		{http.MethodPost, webhooksPath, "WebhookCreate", `{"name":"c","url":"https://example.com/c"}`, http.StatusBadRequest},
		{http.MethodPost, webhooksPath, "WebhookCreate", `{"name":"d","url":"https://example.com/d","all_events":false}`, http.StatusBadRequest},
		{http.MethodPost, webhooksPath, "WebhookCreate", `{"name":"e","url":"https://example.com/e","event_types":[]}`, http.StatusBadRequest},
		{http.MethodPost, webhooksPath, "WebhookCreate", `{"name":"  ","url":"https://example.com/f","all_events":true}`, http.StatusBadRequest},
		{http.MethodPatch, webhooksPath + "/" + hook.ID, "WebhookUpdate", `{"name":null,"enabled":null,"url":null,"event_types":null,"all_events":null}`, http.StatusOK},
		{http.MethodPatch, webhooksPath + "/" + hook.ID, "WebhookUpdate", `{"all_events":false}`, http.StatusOK},
		{http.MethodPatch, webhooksPath + "/" + hook.ID, "WebhookUpdate", `{"name":" "}`, http.StatusBadRequest},
		{http.MethodPatch, webhooksPath + "/" + hook.ID, "WebhookUpdate", `{"event_types":[]}`, http.StatusBadRequest},
	} {
		var v any
		if err := json.Unmarshal([]byte(c.body), &v); err != nil {
			t.Fatal(err)
		}
		schemaErr := doc.Components.Schemas[c.schema].Value.VisitJSON(v)
		res := e.do(c.method, c.path, tok, c.body)
		if res.status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.body, res.status, res.body, c.status)
		}
		if accepted := res.status < 300; accepted != (schemaErr == nil) {
			t.Errorf("%s %s: the API answers %d, the %s schema says %v", c.method, c.body, res.status, c.schema, schemaErr)
		}
	}

	// all_events false on an all-events webhook needs the list replacing
	// "*": the schema cannot know the stored webhook, its description says so.
	e.do(http.MethodPatch, webhooksPath+"/"+everything.ID, tok, `{"all_events":false}`).wantError(t, http.StatusBadRequest, "invalid_event_types")
}
