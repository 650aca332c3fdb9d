package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func TestWebhookLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_abc")
	ctx := context.Background()

	before := time.Now().Add(-time.Second)
	created := e.create(tok, map[string]any{
		"name": "My endpoint", "url": "https://example.com/hooks", "event_types": []string{"emailOpen", "emailClick"},
	})
	if !secretPattern.MatchString(created.SigningSecret) {
		t.Fatalf("signing_secret %q does not match %s", created.SigningSecret, secretPattern)
	}
	if !strings.HasPrefix(created.ID, "wh_") || created.Name != "My endpoint" || created.URL != "https://example.com/hooks" ||
		!slices.Equal(created.EventTypes, []string{"emailOpen", "emailClick"}) || created.AllEvents || !created.Enabled ||
		created.CreatedAt.Before(before) || !created.CreatedAt.Equal(created.UpdatedAt) {
		t.Fatalf("created %+v", created)
	}
	active, err := secretstest.Active(ctx, e.secrets, "org_abc", created.ID, time.Now())
	if err != nil || !slices.Equal(active, []string{created.SigningSecret}) {
		t.Fatalf("stored secret: %v %v", len(active), err)
	}

	// Secret-once: get and list never carry it, not even as a substring.
	one := e.do(http.MethodGet, webhooksPath+"/"+created.ID, tok, nil)
	if one.status != http.StatusOK {
		t.Fatalf("get: %d %s", one.status, one.body)
	}
	list := e.do(http.MethodGet, webhooksPath, tok, nil)
	for _, res := range []response{one, list} {
		if strings.Contains(string(res.body), created.SigningSecret) || strings.Contains(string(res.body), "whsec_") {
			t.Fatalf("secret leaked: %s", res.body)
		}
	}
	got := one.webhook(t)
	got.SigningSecret = created.SigningSecret
	if fmt.Sprint(got) != fmt.Sprint(created) {
		t.Fatalf("get %+v\nwant %+v", got, created)
	}
	if l := list.list(t); len(l.Data) != 1 || l.Data[0].ID != created.ID || l.NextCursor != "" {
		t.Fatalf("list %+v", l)
	}

	// PATCH changes only what it names.
	patched := e.do(http.MethodPatch, webhooksPath+"/"+created.ID, tok, map[string]any{"name": "Renamed", "enabled": false})
	if patched.status != http.StatusOK {
		t.Fatalf("patch: %d %s", patched.status, patched.body)
	}
	p := patched.webhook(t)
	if p.Name != "Renamed" || p.Enabled || p.URL != created.URL || !slices.Equal(p.EventTypes, created.EventTypes) ||
		!p.CreatedAt.Equal(created.CreatedAt) || p.UpdatedAt.Before(created.UpdatedAt) {
		t.Fatalf("patched %+v", p)
	}
	p = e.do(http.MethodPatch, webhooksPath+"/"+created.ID, tok, map[string]any{"url": "https://example.org/v2", "event_types": []string{"*"}}).webhook(t)
	if p.URL != "https://example.org/v2" || !p.AllEvents || !slices.Equal(p.EventTypes, []string{"*"}) || p.Name != "Renamed" {
		t.Fatalf("patched to all events %+v", p)
	}
	// Leaving all events needs the list that replaces "*".
	e.do(http.MethodPatch, webhooksPath+"/"+created.ID, tok, map[string]any{"all_events": false}).
		wantError(t, http.StatusBadRequest, "invalid_event_types")
	p = e.do(http.MethodPatch, webhooksPath+"/"+created.ID, tok, map[string]any{"all_events": false, "event_types": []string{"emailClick", "emailClick"}}).webhook(t)
	if p.AllEvents || !slices.Equal(p.EventTypes, []string{"emailClick"}) {
		t.Fatalf("patched back to a list %+v", p)
	}
	// What PATCH answered is what is stored.
	stored := e.do(http.MethodGet, webhooksPath+"/"+created.ID, tok, nil).webhook(t)
	if fmt.Sprint(stored) != fmt.Sprint(p) {
		t.Fatalf("stored %+v\npatch answered %+v", stored, p)
	}

	// all_events: true on create is the same as ["*"].
	all := e.create(tok, map[string]any{"name": "All", "url": "https://example.com/all", "all_events": true})
	if !all.AllEvents || !slices.Equal(all.EventTypes, []string{"*"}) {
		t.Fatalf("all_events create %+v", all)
	}

	// Delete: 204 without a body, then 404, and the secret is gone too.
	del := e.do(http.MethodDelete, webhooksPath+"/"+created.ID, tok, nil)
	if del.status != http.StatusNoContent || len(del.body) != 0 {
		t.Fatalf("delete: %d %q", del.status, del.body)
	}
	e.do(http.MethodGet, webhooksPath+"/"+created.ID, tok, nil).wantError(t, http.StatusNotFound, "not_found")
	e.do(http.MethodDelete, webhooksPath+"/"+created.ID, tok, nil).wantError(t, http.StatusNotFound, "not_found")
	if _, err := secretstest.Active(ctx, e.secrets, "org_abc", created.ID, time.Now()); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("secret after delete: %v", err)
	}
	if live := e.secrets.liveIDs(); len(live) != 1 || !live["org_abc/"+all.ID] {
		t.Fatalf("live secrets %v, want only %s", live, all.ID)
	}
}

// countingRecovery counts the recovers that reached delivery code.
type countingRecovery struct{ calls atomic.Int32 }

func (r *countingRecovery) Requeue(context.Context, webhook.Webhook, time.Time) (delivery.RecoverResult, error) {
	r.calls.Add(1)
	return delivery.RecoverResult{}, nil
}

// Every operation on one webhook, as the served OpenAPI document lists
// them (a route added later is covered without a change here), answers
// another organization 404 and reaches nothing.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	recovery := &countingRecovery{}
	e := newEnv(t, func(d *api.Deps) { d.Recovery = recovery })
	a, b := e.token("org_a"), e.token("org_b")
	hook := e.create(a, createBody("a-hook", "emailOpen"))
	base := webhooksPath + "/" + hook.ID
	dlv := "dlv_0123456789abcdef0123456789abcdef"
	bodies := map[string]any{
		http.MethodPatch: map[string]any{"name": "stolen"},
		http.MethodPost:  map[string]any{"since": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)},
	}
	doc, err := openapi3.NewLoader().LoadFromData(e.do(http.MethodGet, "/openapi.json", "", nil).body)
	if err != nil {
		t.Fatal(err)
	}
	operations := 0
	for template, item := range doc.Paths.Map() {
		rest, ok := strings.CutPrefix(template, webhooksPath+"/{id}")
		if !ok {
			continue
		}
		path := base + strings.ReplaceAll(rest, "{delivery_id}", dlv)
		for method := range item.Operations() {
			operations++
			t.Run(method+" "+rest, func(t *testing.T) {
				body := bodies[method]
				if method == http.MethodPost && !strings.HasSuffix(rest, "/recover") {
					body = nil
				}
				e.do(method, path, b, body).wantError(t, http.StatusNotFound, "not_found")
			})
		}
	}
	if operations < 8 {
		t.Fatalf("the document lists %d operations on a webhook; the test reads it wrong", operations)
	}
	if n := recovery.calls.Load(); n != 0 {
		t.Fatalf("another org's recover reached delivery code %d times", n)
	}
	if len(e.dlv.resends) != 0 || len(e.dlv.tests) != 0 || len(e.attempts.calls) != 0 {
		t.Fatalf("another org reached delivery code: %+v %+v %+v", e.dlv.resends, e.dlv.tests, e.attempts.calls)
	}
	if l := e.do(http.MethodGet, webhooksPath, b, nil).list(t); len(l.Data) != 0 {
		t.Fatalf("org_b lists %+v", l.Data)
	}
	// org_a's webhook and secret are untouched.
	got := e.do(http.MethodGet, base, a, nil).webhook(t)
	if got.Name != "a-hook" {
		t.Fatalf("org_a's webhook changed: %+v", got)
	}
	active, err := secretstest.Active(context.Background(), e.secrets, "org_a", hook.ID, time.Now())
	if err != nil || !slices.Equal(active, []string{hook.SigningSecret}) {
		t.Fatalf("org_a's secret changed: %d %v", len(active), err)
	}
}

func TestWebhookValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_val")
	long := "https://example.com/" + strings.Repeat("a", 2048)
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		field  string // the message must name it
	}{
		{"malformed json", `{"name":`, 400, "invalid_json", ""},
		{"not an object", `[1,2]`, 400, "invalid_json", ""},
		{"empty body", ``, 400, "invalid_json", ""},
		{"trailing data", `{"name":"x","url":"https://a.example","all_events":true} {}`, 400, "invalid_json", ""},
		{"a trailing object with a field", `{"name":"x","url":"https://a.example","all_events":true}{"a":1}`, 400, "invalid_json", ""},
		{"wrong type", `{"name":5,"url":"https://a.example","all_events":true}`, 400, "invalid_json", "name"},
		{"unknown field", `{"name":"x","url":"https://a.example","all_events":true,"secret":"x"}`, 400, "unknown_field", "secret"},
		{"name missing", map[string]any{"url": "https://a.example", "all_events": true}, 400, "invalid_name", "name"},
		{"name empty", map[string]any{"name": "  ", "url": "https://a.example", "all_events": true}, 400, "invalid_name", "name"},
		{"name too long", map[string]any{"name": strings.Repeat("n", 101), "url": "https://a.example", "all_events": true}, 400, "invalid_name", "name"},
		{"url missing", map[string]any{"name": "x", "all_events": true}, 400, "invalid_url", "url"},
		{"url http", map[string]any{"name": "x", "url": "http://example.com/h", "all_events": true}, 400, "invalid_url", "https"},
		{"url ftp", map[string]any{"name": "x", "url": "ftp://example.com/h", "all_events": true}, 400, "invalid_url", "url"},
		{"url relative", map[string]any{"name": "x", "url": "/hooks", "all_events": true}, 400, "invalid_url", "url"},
		{"url no host", map[string]any{"name": "x", "url": "https:///path", "all_events": true}, 400, "invalid_url", "url"},
		{"url host with an empty label", map[string]any{"name": "x", "url": "https://hooks..example.com/h", "all_events": true}, 400, "invalid_url", "empty label"},
		{"url host ending in two dots", map[string]any{"name": "x", "url": "https://127.0.0.1../h", "all_events": true}, 400, "invalid_url", "empty label"},
		{"url host starting with a dot", map[string]any{"name": "x", "url": "https://.example.com/h", "all_events": true}, 400, "invalid_url", "empty label"},
		{"url userinfo", map[string]any{"name": "x", "url": "https://user:pw@example.com/h", "all_events": true}, 400, "invalid_url", "url"},
		{"url too long", map[string]any{"name": "x", "url": long, "all_events": true}, 400, "invalid_url", "2048 bytes"},
		{"url bad port", map[string]any{"name": "x", "url": "https://example.com:70000/h", "all_events": true}, 400, "invalid_url", "url"},
		{"url loopback outside dev", map[string]any{"name": "x", "url": "https://127.0.0.1/h", "all_events": true}, 400, "invalid_url", "url"},
		{"url localhost outside dev", map[string]any{"name": "x", "url": "https://localhost/h", "all_events": true}, 400, "invalid_url", "url"},
		{"url private", map[string]any{"name": "x", "url": "https://10.1.2.3/h", "all_events": true}, 400, "invalid_url", "url"},
		{"url metadata", map[string]any{"name": "x", "url": "https://169.254.169.254/latest", "all_events": true}, 400, "invalid_url", "url"},
		{"event_types missing", map[string]any{"name": "x", "url": "https://a.example"}, 400, "invalid_event_types", "event_types"},
		{"event_types empty", map[string]any{"name": "x", "url": "https://a.example", "event_types": []string{}}, 400, "invalid_event_types", "event_types"},
		{"event_types unknown", map[string]any{"name": "x", "url": "https://a.example", "event_types": []string{"emailOpen", "nope"}}, 400, "unknown_event_type", "nope"},
		{"wildcard mixed", map[string]any{"name": "x", "url": "https://a.example", "event_types": []string{"*", "emailOpen"}}, 400, "invalid_event_types", "event_types"},
		{"all_events with list", map[string]any{"name": "x", "url": "https://a.example", "all_events": true, "event_types": []string{"emailOpen"}}, 400, "invalid_event_types", "event_types"},
		{"wildcard with all_events false", map[string]any{"name": "x", "url": "https://a.example", "all_events": false, "event_types": []string{"*"}}, 400, "invalid_event_types", "event_types"},
		{"body over 64 KB", `{"name":"` + strings.Repeat("x", 64<<10) + `"}`, 413, "body_too_large", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := e.do(http.MethodPost, webhooksPath, tok, c.body).wantError(t, c.status, c.code)
			if !strings.Contains(msg, c.field) {
				t.Fatalf("message %q does not name %q", msg, c.field)
			}
		})
	}
	if l := e.do(http.MethodGet, webhooksPath, tok, nil).list(t); len(l.Data) != 0 {
		t.Fatalf("invalid creates stored webhooks: %+v", l.Data)
	}
	if live := e.secrets.liveIDs(); len(live) != 0 {
		t.Fatalf("invalid creates left secrets: %v", live)
	}

	// PATCH runs the same checks and leaves the webhook unchanged.
	hook := e.create(tok, createBody("valid", "emailOpen"))
	path := webhooksPath + "/" + hook.ID
	e.do(http.MethodPatch, path, tok, map[string]any{"url": "http://example.com"}).wantError(t, 400, "invalid_url")
	e.do(http.MethodPatch, path, tok, map[string]any{"name": ""}).wantError(t, 400, "invalid_name")
	e.do(http.MethodPatch, path, tok, map[string]any{"event_types": []string{}}).wantError(t, 400, "invalid_event_types")
	e.do(http.MethodPatch, path, tok, map[string]any{"event_types": []string{"bogus"}}).wantError(t, 400, "unknown_event_type")
	e.do(http.MethodPatch, path, tok, map[string]any{"id": "wh_other"}).wantError(t, 400, "unknown_field")
	e.do(http.MethodPatch, path, tok, `{"name":"x"`).wantError(t, 400, "invalid_json")
	e.do(http.MethodPatch, path, tok, `{"name":"`+strings.Repeat("x", 70<<10)+`"}`).wantError(t, 413, "body_too_large")
	if got := e.do(http.MethodGet, path, tok, nil).webhook(t); got.Name != "valid" || got.URL != hook.URL {
		t.Fatalf("failed patches changed the webhook: %+v", got)
	}
	// Ids that cannot exist are plain 404s.
	e.do(http.MethodGet, webhooksPath+"/not-an-id", tok, nil).wantError(t, 404, "not_found")
	e.do(http.MethodGet, webhooksPath+"/wh_00000000000000000000000000", tok, nil).wantError(t, 404, "not_found")
}

func TestDevModeAcceptsLoopbackHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *api.Deps) { d.Config.AllowLoopback = true })
	tok := e.token("org_dev")
	for _, u := range []string{"http://127.0.0.1:9000/hook", "http://127.8.9.10/h", "http://localhost:8081/h", "http://[::1]:9000/h", "https://localhost/h"} {
		if got := e.create(tok, map[string]any{"name": "dev", "url": u, "all_events": true}); got.URL != u {
			t.Fatalf("url %s stored as %s", u, got.URL)
		}
	}
	for _, u := range []string{"http://example.com/h", "http://10.0.0.1/h", "http://192.168.1.1/h", "http://localhost.example.com/h"} {
		msg := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": "dev", "url": u, "all_events": true}).
			wantError(t, http.StatusBadRequest, "invalid_url")
		if !strings.Contains(msg, "https") {
			t.Fatalf("%s: message %q", u, msg)
		}
	}
	// Loopback to a browser, a DNS question to the delivery client: every
	// delivery would be dead-lettered.
	for _, u := range []string{"http://app.localhost:9000/h", "https://a.b.LOCALHOST./h"} {
		msg := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": "dev", "url": u, "all_events": true}).
			wantError(t, http.StatusBadRequest, "invalid_url")
		if !strings.Contains(msg, "use localhost or 127.0.0.1") {
			t.Fatalf("%s: message %q", u, msg)
		}
	}
}

// TestDevModeRefusesTheStacksOwnPorts: the loopback allowance stops at the
// dev stack's own services (a URL at goaws ran ListQueues and stored the
// reply in the attempt log).
func TestDevModeRefusesTheStacksOwnPorts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *api.Deps) {
		d.Config.AllowLoopback = true
		d.Config.DeniedLoopbackPorts = []int{4100, 8080, 80}
	})
	tok := e.token("org_dev")
	for _, u := range []string{"http://127.0.0.1:4100/", "http://localhost:8080/api/v1/organization/webhooks", "http://[::1]:4100/?Action=ListQueues", "http://localhost/h"} {
		msg := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": "dev", "url": u, "all_events": true}).
			wantError(t, http.StatusBadRequest, "invalid_url")
		if !strings.Contains(msg, "local stack") {
			t.Fatalf("%s: message %q", u, msg)
		}
	}
	if got := e.create(tok, map[string]any{"name": "dev", "url": "http://127.0.0.1:4101/h", "all_events": true}); got.URL != "http://127.0.0.1:4101/h" {
		t.Fatalf("another loopback port was not accepted: %+v", got)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_pages")
	var want []string
	for i := range 7 {
		want = append(want, e.create(tok, createBody(fmt.Sprintf("hook-%d", i), "emailOpen")).ID)
	}
	e.create(e.token("org_other"), createBody("other", "emailOpen"))

	var got []string
	var sizes []int
	path := webhooksPath + "?limit=3"
	for range 5 {
		res := e.do(http.MethodGet, path, tok, nil)
		if res.status != http.StatusOK {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		l := res.list(t)
		sizes = append(sizes, len(l.Data))
		for _, w := range l.Data {
			got = append(got, w.ID)
		}
		if l.NextCursor == "" {
			if strings.Contains(string(res.body), "next_cursor") {
				t.Fatalf("last page carries a next_cursor field: %s", res.body)
			}
			break
		}
		path = webhooksPath + "?limit=3&cursor=" + l.NextCursor
	}
	if !slices.Equal(sizes, []int{3, 3, 1}) || !slices.Equal(got, want) {
		t.Fatalf("pages %v listed %v, want [3 3 1] %v", sizes, got, want)
	}
	if l := e.do(http.MethodGet, webhooksPath, tok, nil).list(t); len(l.Data) != 7 || l.NextCursor != "" {
		t.Fatalf("default limit: %d items, cursor %q", len(l.Data), l.NextCursor)
	}
	for _, q := range []string{"cursor=not-a-cursor", "cursor=" + strings.Repeat("A", 3000), "cursor=V0gjd2hfWFla"} {
		e.do(http.MethodGet, webhooksPath+"?"+q, tok, nil).wantError(t, http.StatusBadRequest, "invalid_cursor")
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=-1", "limit=abc"} {
		msg := e.do(http.MethodGet, webhooksPath+"?"+q, tok, nil).wantError(t, http.StatusBadRequest, "invalid_limit")
		if !strings.Contains(msg, "limit") {
			t.Fatalf("%s: %q", q, msg)
		}
	}
}

func TestRotateSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_rot")
	hook := e.create(tok, createBody("rot", "emailOpen"))
	res := e.do(http.MethodPost, webhooksPath+"/"+hook.ID+"/rotate-secret", tok, nil)
	if res.status != http.StatusOK {
		t.Fatalf("rotate: %d %s", res.status, res.body)
	}
	var body struct {
		SigningSecret           string    `json:"signing_secret"`
		PreviousSecretExpiresAt time.Time `json:"previous_secret_expires_at"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		t.Fatal(err)
	}
	e.seen = append(e.seen, body.SigningSecret)
	if !secretPattern.MatchString(body.SigningSecret) || body.SigningSecret == hook.SigningSecret {
		t.Fatalf("new secret %q (old %q)", body.SigningSecret, hook.SigningSecret)
	}
	wantExpiry := time.Now().Add(e.cfg.SecretGrace)
	if d := body.PreviousSecretExpiresAt.Sub(wantExpiry); d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("previous_secret_expires_at %v, want about %v", body.PreviousSecretExpiresAt, wantExpiry)
	}
	// The store's end in whole seconds, or a second before it when one
	// ticked over meanwhile: the old secret signs until this time at least.
	rec, err := e.secrets.Record(context.Background(), "org_rot", hook.ID)
	if gap := rec.PreviousExpiresAt.Sub(body.PreviousSecretExpiresAt); err != nil || gap < 0 || gap > time.Second || body.PreviousSecretExpiresAt.Nanosecond() != 0 {
		t.Fatalf("previous_secret_expires_at %v, the store's end %v (%v)", body.PreviousSecretExpiresAt, rec.PreviousExpiresAt, err)
	}
	active, err := secretstest.Active(context.Background(), e.secrets, "org_rot", hook.ID, time.Now())
	if err != nil || !slices.Equal(active, []string{body.SigningSecret, hook.SigningSecret}) {
		t.Fatalf("active secrets after rotation: %d %v (want new, old)", len(active), err)
	}
	// Delivery's secrets cache is keyed by the version the rotation bumped.
	if stored, err := e.store.Get(context.Background(), "org_rot", hook.ID); err != nil || stored.SecretVersion != 1 {
		t.Fatalf("secret version after one rotation: %d (%v), want 1", stored.SecretVersion, err)
	}
	// After the grace period only the new one signs.
	later, err := secretstest.Active(context.Background(), e.secrets, "org_rot", hook.ID, time.Now().Add(e.cfg.SecretGrace+time.Minute))
	if err != nil || !slices.Equal(later, []string{body.SigningSecret}) {
		t.Fatalf("active after grace: %d %v", len(later), err)
	}
	if strings.Contains(string(e.do(http.MethodGet, webhooksPath+"/"+hook.ID, tok, nil).body), body.SigningSecret) {
		t.Fatal("get leaks the rotated secret")
	}
}

func TestWebhookLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *api.Deps) { d.Config.MaxWebhooks = 2 })
	tok := e.token("org_cap")
	first := e.create(tok, createBody("one", "emailOpen"))
	e.create(tok, createBody("two", "emailOpen"))
	e.do(http.MethodPost, webhooksPath, tok, createBody("three", "emailOpen")).wantError(t, http.StatusConflict, "limit_reached")
	// The refused create left no secret behind.
	if live := e.secrets.liveIDs(); len(live) != 2 {
		t.Fatalf("live secrets %v, want the 2 webhooks'", live)
	}
	// Another org has its own cap.
	e.create(e.token("org_cap_other"), createBody("other", "emailOpen"))
	// Deleting frees a slot.
	if res := e.do(http.MethodDelete, webhooksPath+"/"+first.ID, tok, nil); res.status != http.StatusNoContent {
		t.Fatalf("delete: %d", res.status)
	}
	e.create(tok, createBody("three", "emailOpen"))
}

func TestFailedCreateLeavesNothing(t *testing.T) {
	t.Parallel()
	t.Run("store fails after the secret was made", func(t *testing.T) {
		t.Parallel()
		var fs *failingStore
		e := newEnv(t, func(d *api.Deps) {
			fs = &failingStore{Store: d.Webhooks, createErr: errBoom}
			d.Webhooks = fs
		})
		tok := e.token("org_fail")
		res := e.do(http.MethodPost, webhooksPath, tok, createBody("x", "emailOpen"))
		msg := res.wantError(t, http.StatusInternalServerError, "internal_error")
		if strings.Contains(msg, "boom") || strings.Contains(string(res.body), "whsec_") {
			t.Fatalf("500 leaks details: %s", res.body)
		}
		if fs.creates != 1 {
			t.Fatalf("store Create called %d times", fs.creates)
		}
		if live := e.secrets.liveIDs(); len(live) != 0 {
			t.Fatalf("orphan secrets: %v", live)
		}
		if l := e.do(http.MethodGet, webhooksPath, tok, nil).list(t); len(l.Data) != 0 {
			t.Fatalf("orphan webhook: %+v", l.Data)
		}
		// The error went to the log for operators.
		if !strings.Contains(e.logs.String(), "boom") {
			t.Fatal("the cause of the 500 was not logged")
		}
	})
	t.Run("secret store fails first", func(t *testing.T) {
		t.Parallel()
		var fs *failingStore
		e := newEnv(t, func(d *api.Deps) {
			fs = &failingStore{Store: d.Webhooks}
			d.Webhooks = fs
		})
		e.secrets.failCreate = errBoom
		tok := e.token("org_fail")
		e.do(http.MethodPost, webhooksPath, tok, createBody("x", "emailOpen")).wantError(t, http.StatusInternalServerError, "internal_error")
		if fs.creates != 0 {
			t.Fatal("webhook stored although its secret could not be")
		}
		if l := e.do(http.MethodGet, webhooksPath, tok, nil).list(t); len(l.Data) != 0 {
			t.Fatalf("orphan webhook: %+v", l.Data)
		}
	})
}

// The response check every test relies on must be able to fail: a get
// answer carrying a secret, or missing a field, is rejected.
func TestResponsesAreCheckedAgainstTheSpec(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_spec")
	hook := e.create(tok, createBody("spec", "emailOpen"))
	r := newRequest(http.MethodGet, webhooksPath+"/"+hook.ID, tok, nil)
	good := e.send(r)
	if err := e.checkResponse(r, good); err != nil {
		t.Fatalf("real response rejected: %v", err)
	}
	withSecret := strings.Replace(string(good.body), `"id":`, `"signing_secret":"`+hook.SigningSecret+`","id":`, 1)
	missing := strings.Replace(string(good.body), `"enabled":true,`, ``, 1)
	for name, body := range map[string]string{"secret in get": withSecret, "missing field": missing} {
		if body == string(good.body) {
			t.Fatalf("%s: test body not altered", name)
		}
		if err := e.checkResponse(r, response{status: 200, header: good.header, body: []byte(body)}); err == nil {
			t.Errorf("%s: accepted by the spec check", name)
		}
	}
	if err := e.checkResponse(r, response{status: 418, header: good.header, body: good.body}); err == nil {
		t.Error("undocumented status accepted")
	}
}
