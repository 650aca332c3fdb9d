package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
)

// encoding/json would store these with U+FFFD in place of what was sent.
var notText = map[string]string{
	"invalid byte":       "\xff",
	"truncated sequence": "\xe2\x82",
	"UTF-8 surrogate":    "\xed\xa0\x80",
	"lone high escape":   `\ud800`,
	"lone low escape":    `\udc00`,
}

func TestBodiesMustBeValidText(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_text")
	hook := e.create(tok, createBody("keep", "emailOpen"))
	path := webhooksPath + "/" + hook.ID
	for name, bad := range notText {
		bodies := map[string]struct{ method, path, body string }{
			"create name":       {http.MethodPost, webhooksPath, `{"name":"a` + bad + `","url":"https://example.com/h","all_events":true}`},
			"create url":        {http.MethodPost, webhooksPath, `{"name":"a","url":"https://example.com/` + bad + `","all_events":true}`},
			"create event type": {http.MethodPost, webhooksPath, `{"name":"a","url":"https://example.com/h","event_types":["emailOpen` + bad + `"]}`},
			"update name":       {http.MethodPatch, path, `{"name":"b` + bad + `"}`},
			"event data":        {http.MethodPost, "/api/v1/events", `{"event_name":"emailOpen","data":{"email":"a` + bad + `@example.com"}}`},
			"event id":          {http.MethodPost, "/api/v1/events", `{"event_name":"emailOpen","data":{},"id":"k` + bad + `"}`},
		}
		for where, b := range bodies {
			msg := e.do(b.method, b.path, tok, b.body).wantError(t, http.StatusBadRequest, "invalid_json")
			if !strings.Contains(msg, "UTF-8") {
				t.Errorf("%s in %s: message %q", name, where, msg)
			}
		}
	}
	if got := e.do(http.MethodGet, path, tok, nil).webhook(t); got.Name != "keep" {
		t.Fatalf("a refused update changed the name to %q", got.Name)
	}
	if l := e.do(http.MethodGet, webhooksPath, tok, nil).list(t); len(l.Data) != 1 {
		t.Fatalf("refused creates stored webhooks: %d", len(l.Data))
	}
	if len(e.pub.calls) != 0 {
		t.Fatalf("refused events were published: %d", len(e.pub.calls))
	}
	// Valid text of every kind still passes, surrogate pairs included.
	if got := e.create(tok, map[string]any{"name": "naïve ✓ 😀 \u05e9\u05dc\u05d5\u05dd", "url": "https://example.com/h", "all_events": true}); got.Name != "naïve ✓ 😀 שלום" {
		t.Fatalf("name stored as %q", got.Name)
	}
	if got := e.create(tok, `{"name":"pair \ud83d\ude00","url":"https://example.com/h","all_events":true}`); got.Name != "pair 😀" {
		t.Fatalf("escaped pair stored as %q", got.Name)
	}
}

func TestNamesRefuseHiddenAndControlCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_names")
	for _, name := range []string{
		"pay\u202eexe.gpj", // right-to-left override
		"a\u202ab", "a\u202bb", "a\u202cb", "a\u202db",
		"a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b", // isolates
		"a\u200eb", "a\u200fb", "a\u061cb", // marks
		"a\u0085b", "a\u0000b", "tab\there", "a\u007fb", // C0, C1, DEL
		"a\u2028b", "a\u2029b", // line and paragraph separators
		"a\ufffeb", "a\uffffb", // noncharacters SQS refuses (the name goes into health notices)
	} {
		msg := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": name, "url": "https://example.com/h", "all_events": true}).
			wantError(t, http.StatusBadRequest, "invalid_name")
		if !strings.Contains(msg, "U+") {
			t.Errorf("%q: message %q does not name the character", name, msg)
		}
	}
	// Emoji sequences joined with U+200D and other scripts stay allowed.
	for _, name := range []string{"team 👩\u200d💻", "مرحبا", "日本語"} {
		if got := e.create(tok, map[string]any{"name": name, "url": "https://example.com/h", "all_events": true}); got.Name != name {
			t.Errorf("%q stored as %q", name, got.Name)
		}
	}
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailOpen", "data": map[string]any{}, "id": "k\u202e1"}).
		wantError(t, http.StatusUnprocessableEntity, "invalid_event_id")
}

func TestMalformedQueryStrings(t *testing.T) {
	t.Parallel()
	admin := &recordingAdmin{}
	e := newEnv(t, func(d *api.Deps) { d.Admin = admin })
	tok := e.token("org_query")
	hook := e.create(tok, createBody("q", "emailOpen"))
	for _, target := range []string{
		webhooksPath + "?cursor=%%%",
		webhooksPath + "?limit=5&cursor=%zz",
		webhooksPath + "?limit=5;cursor=x",
		webhooksPath + "/" + hook.ID + "/deliveries?cursor=%",
		"/api/v1/event-types?%",
	} {
		msg := e.do(http.MethodGet, target, tok, nil).wantError(t, http.StatusBadRequest, "invalid_query")
		if !strings.Contains(msg, "query") {
			t.Errorf("%s: message %q", target, msg)
		}
	}
	e.do(http.MethodGet, "/api/v1/admin/dlq?organization_id=%%%", e.operatorToken("org_ops"), nil).wantError(t, http.StatusBadRequest, "invalid_query")
	if len(admin.paths) != 0 {
		t.Fatalf("a malformed query reached the admin handler: %v", admin.paths)
	}
	// Well-formed escapes are fine.
	if res := e.do(http.MethodGet, webhooksPath+"?limit=%35", tok, nil); res.status != http.StatusOK {
		t.Fatalf("escaped limit: %d %s", res.status, res.body)
	}
	// Authentication still comes first.
	e.do(http.MethodGet, webhooksPath+"?cursor=%%%", "", nil).wantError(t, http.StatusUnauthorized, "unauthorized")
}
