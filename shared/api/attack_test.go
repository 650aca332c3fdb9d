package api_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// operation is one authenticated operation of the served OpenAPI document.
type operation struct {
	method, path string
	body         bool // it takes a request body
}

// specOperations lists every operation of the document the API serves
// that requires a token, so a route added to the API (and, as
// TestOpenAPICoversEveryRoute enforces, to the document) is attacked too.
func (e *env) specOperations() []operation {
	e.t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(e.do(http.MethodGet, "/openapi.json", "", nil).body)
	if err != nil {
		e.t.Fatal(err)
	}
	var ops []operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public
			}
			ops = append(ops, operation{method, path, op.RequestBody != nil})
		}
	}
	if len(ops) < 10 {
		e.t.Fatalf("only %d authenticated operations in the document", len(ops))
	}
	return ops
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// attackBodies are valid bodies, so a request that got past
// authentication would succeed rather than stop at validation.
var attackBodies = map[string]string{
	"POST " + webhooksPath:            `{"name":"attack","url":"https://example.com/a","all_events":true}`,
	"PATCH " + webhooksPath + "/{id}": `{"name":"renamed by an attacker"}`,
	"POST /api/v1/events": `{"event_name":"emailClick","data":{"email":"jane@example.com","message_id":"msg_1",` +
		`"url":"https://example.com/pricing","occurred_at":"2026-11-23T10:00:00Z"}}`,
	"POST /api/v1/admin/dlq/redrive": `{"all":true}`,
	"POST /api/v1/admin/dlq/purge":   `{"all":true,"confirm":true}`,
}

// Every authenticated route × every bad credential answers 401, or 404
// for another org's webhook (403 for a tenant on the admin routes), with
// the JSON error body: never 2xx, never 5xx, and nothing reaches a store
// or a queue. The forged tokens all claim the operator role, so one that
// got through would have the most to reach.
func TestEveryRouteRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	admin := &reachedHandler{}
	e := newEnv(t, func(d *api.Deps) { d.Admin = admin })
	victim := e.token("org_victim")
	hook := e.create(victim, createBody("victim", "emailOpen"))
	params := map[string]string{"id": hook.ID, "delivery_id": "dlv_0123456789abcdef0123456789abcdef"}

	future := time.Now().Add(time.Hour).Unix()
	claims := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"org_id": "org_victim", "role": "operator", "exp": future, "aud": "hookrelay"}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	signed := func(key []byte, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		e.seen = append(e.seen, s)
		return s
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	unauthenticated := map[string]string{
		"no token":       "",
		"expired":        signed(e.key, claims(jwt.MapClaims{"exp": time.Now().Add(-time.Minute).Unix()})),
		"alg none":       none,
		"wrong audience": signed(e.key, claims(jwt.MapClaims{"aud": "another-service"})),
		"no audience":    signed(e.key, claims(jwt.MapClaims{"aud": nil})),
		"wrong key":      signed(bytes.Repeat([]byte{7}, 32), claims(nil)),
		"no org":         signed(e.key, claims(jwt.MapClaims{"org_id": nil, "sub": "someone"})),
	}
	wrongOrg := e.token("org_attacker")

	before := e.do(http.MethodGet, webhooksPath+"/"+hook.ID, victim, nil).body
	for _, op := range e.specOperations() {
		path := pathParam.ReplaceAllStringFunc(op.path, func(m string) string {
			v, ok := params[strings.Trim(m, "{}")]
			if !ok {
				t.Fatalf("%s %s: no sample value for %s", op.method, op.path, m)
			}
			return v
		})
		var body any
		if b, ok := attackBodies[op.method+" "+op.path]; ok {
			body = b
		}
		for name, tok := range unauthenticated {
			res := e.do(op.method, path, tok, body)
			if res.status != http.StatusUnauthorized {
				t.Errorf("%s: %s %s answered %d %s, want 401", name, op.method, op.path, res.status, res.body)
				continue
			}
			res.wantError(t, http.StatusUnauthorized, "unauthorized")
			if res.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: %s %s: 401 without WWW-Authenticate", name, op.method, op.path)
			}
		}
		isAdmin := strings.HasPrefix(op.path, "/api/v1/admin/")
		if !isAdmin && !strings.Contains(op.path, "{id}") {
			continue // no resource of another org in the path: a valid token acts on its own org
		}
		res := e.do(op.method, path, wrongOrg, body)
		switch {
		case isAdmin:
			res.wantError(t, http.StatusForbidden, "forbidden")
		default:
			if res.status != http.StatusNotFound {
				t.Errorf("wrong org: %s %s answered %d %s, want 404", op.method, op.path, res.status, res.body)
				continue
			}
			res.wantError(t, http.StatusNotFound, "not_found")
		}
	}

	if admin.reached.Load() != 0 {
		t.Errorf("%d bad credentials reached the admin API", admin.reached.Load())
	}
	if len(e.pub.calls) != 0 || len(e.dlv.tests) != 0 || len(e.dlv.resends) != 0 || len(e.attempts.calls) != 0 {
		t.Errorf("a bad credential reached a collaborator: %d publishes, %d tests, %d resends, %d attempt lists",
			len(e.pub.calls), len(e.dlv.tests), len(e.dlv.resends), len(e.attempts.calls))
	}
	if after := e.do(http.MethodGet, webhooksPath+"/"+hook.ID, victim, nil).body; !bytes.Equal(before, after) {
		t.Errorf("the victim's webhook changed:\nbefore %s\nafter  %s", before, after)
	}
	// The document itself stays public.
	if res := e.do(http.MethodGet, "/openapi.json", "", nil); res.status != http.StatusOK {
		t.Errorf("openapi.json without a token: %d", res.status)
	}
	if hooks, _, err := e.store.List(context.Background(), "org_attacker", 10, ""); err != nil || len(hooks) != 0 {
		t.Errorf("the attacker's org gained webhooks: %d, %v", len(hooks), err)
	}
	if active, err := secretstest.Active(context.Background(), e.secrets, "org_victim", hook.ID, time.Now()); err != nil || len(active) != 1 {
		t.Errorf("the victim's secret changed: %d secrets, %v", len(active), err)
	}
}

// reachedHandler stands in for the admin API: it counts what reaches it
// and answers as a success would, so a request that got through shows.
type reachedHandler struct{ reached atomic.Int64 }

func (h *reachedHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.reached.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{}`))
}
