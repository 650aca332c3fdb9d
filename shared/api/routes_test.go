package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// In AWS, API Gateway validated the token; the handler reads the org from
// the authorizer claims the api-proxy put in the request context.
func TestLambdaAuthorizerClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *api.Deps) { d.Auth = auth.NewLambdaClaims(d.Config) })
	event := func(method, path, body string, claims map[string]string) *http.Request {
		ev := events.APIGatewayV2HTTPRequest{
			RawPath: path, Body: body,
			Headers: map[string]string{"content-type": "application/json"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				DomainName: "api.example.com",
				HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			},
		}
		if claims != nil {
			ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
			}
		}
		var acc core.RequestAccessorV2
		r, err := acc.EventToRequestWithContext(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	body, _ := json.Marshal(createBody("lambda", "emailOpen"))
	res := e.send(event(http.MethodPost, webhooksPath, string(body), map[string]string{"org_id": "org_lambda", "sub": "u1"}))
	if res.status != http.StatusCreated {
		t.Fatalf("create through the authorizer: %d %s", res.status, res.body)
	}
	id := res.webhook(t).ID
	if res := e.send(event(http.MethodGet, webhooksPath+"/"+id, "", map[string]string{"org_id": "org_lambda"})); res.status != http.StatusOK {
		t.Fatalf("get: %d", res.status)
	}
	e.send(event(http.MethodGet, webhooksPath+"/"+id, "", map[string]string{"org_id": "org_else"})).wantError(t, 404, "not_found")
	e.send(event(http.MethodGet, webhooksPath, "", map[string]string{"sub": "u1"})).wantError(t, 401, "unauthorized")
	e.send(event(http.MethodGet, webhooksPath, "", nil)).wantError(t, 401, "unauthorized")
}

func TestDeliveryRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_dlv")
	hook := e.create(tok, createBody("dlv", "emailOpen"))
	base := webhooksPath + "/" + hook.ID
	const dlv = "dlv_0123456789abcdef0123456789abcdef"

	at := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	e.attempts.attempts = []deliverylog.Attempt{{
		DeliveryID: dlv, EventID: "evt_1", EventName: "emailOpen", OrgID: "org_dlv", WebhookID: hook.ID,
		Attempt: 2, At: at, Outcome: deliverylog.OutcomeRetrying, StatusCode: 503, LatencyMS: 12, Response: "busy",
	}}
	e.attempts.next = "opaque-next"
	res := e.do(http.MethodGet, base+"/deliveries?limit=5&cursor=abc", tok, nil)
	if res.status != http.StatusOK {
		t.Fatalf("deliveries: %d %s", res.status, res.body)
	}
	var page struct {
		Data       []deliverylog.Attempt `json:"data"`
		NextCursor string                `json:"next_cursor"`
	}
	if err := json.Unmarshal(res.body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 || page.Data[0].StatusCode != 503 || !page.Data[0].At.Equal(at) || page.NextCursor != "opaque-next" {
		t.Fatalf("deliveries page %+v", page)
	}
	if want := (listCall{"org_dlv", hook.ID, 5, "abc"}); len(e.attempts.calls) != 1 || e.attempts.calls[0] != want {
		t.Fatalf("attempt log called with %+v, want %+v", e.attempts.calls, want)
	}
	e.attempts.attempts, e.attempts.next = nil, ""
	if res := e.do(http.MethodGet, base+"/deliveries", tok, nil); res.status != 200 || !strings.Contains(string(res.body), `"data":[]`) {
		t.Fatalf("empty attempt log: %d %s", res.status, res.body)
	}
	e.attempts.err = webhook.ErrInvalidCursor
	e.do(http.MethodGet, base+"/deliveries?cursor=zzz", tok, nil).wantError(t, 400, "invalid_cursor")
	e.do(http.MethodGet, base+"/deliveries?limit=1000", tok, nil).wantError(t, 400, "invalid_limit")

	// Resend.
	res = e.do(http.MethodPost, base+"/deliveries/"+dlv+"/resend", tok, nil)
	if res.status != http.StatusAccepted {
		t.Fatalf("resend: %d %s", res.status, res.body)
	}
	if want := (resendCall{"org_dlv", hook.ID, dlv}); len(e.dlv.resends) != 1 || e.dlv.resends[0] != want {
		t.Fatalf("resend called with %+v", e.dlv.resends)
	}
	e.dlv.resendErr = fmt.Errorf("lookup: %w", deliverylog.ErrNotFound)
	if msg := e.do(http.MethodPost, base+"/deliveries/"+dlv+"/resend", tok, nil).wantError(t, 404, "not_found"); !strings.Contains(msg, "newest 4 MB") {
		t.Fatalf("404 does not say how far a resend reaches: %q", msg)
	}
	e.dlv.resendErr = &webhook.NotSubscribedError{EventName: "emailClick"}
	if msg := e.do(http.MethodPost, base+"/deliveries/"+dlv+"/resend", tok, nil).wantError(t, 409, "not_subscribed"); !strings.Contains(msg, "emailClick") {
		t.Fatalf("409 without the event type: %q", msg)
	}
	e.dlv.resendErr = errBoom
	if msg := e.do(http.MethodPost, base+"/deliveries/"+dlv+"/resend", tok, nil).wantError(t, 500, "internal_error"); strings.Contains(msg, "boom") {
		t.Fatalf("500 leaks the cause: %q", msg)
	}
	calls := len(e.dlv.resends)
	e.do(http.MethodPost, base+"/deliveries/not-a-delivery/resend", tok, nil).wantError(t, 404, "not_found")
	if len(e.dlv.resends) != calls {
		t.Fatal("an impossible delivery id reached Resend")
	}

	// Test event: the full webhook goes to SendTest.
	res = e.do(http.MethodPost, base+"/test", tok, nil)
	if res.status != http.StatusAccepted || res.json(t)["delivery_id"] != "dlv_0123456789abcdef0123456789abcdef" {
		t.Fatalf("test: %d %s", res.status, res.body)
	}
	if len(e.dlv.tests) != 1 || e.dlv.tests[0].ID != hook.ID || e.dlv.tests[0].OrgID != "org_dlv" || e.dlv.tests[0].URL != hook.URL {
		t.Fatalf("SendTest got %+v", e.dlv.tests)
	}
	e.dlv.testErr = errBoom
	e.do(http.MethodPost, base+"/test", tok, nil).wantError(t, 500, "internal_error")
}

func TestEventRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_evt")

	res := e.do(http.MethodGet, "/api/v1/event-types", tok, nil)
	var types struct {
		Data []struct {
			Name    string          `json:"name"`
			Schema  json.RawMessage `json:"schema"`
			Example json.RawMessage `json:"example"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.body, &types); err != nil || res.status != 200 {
		t.Fatalf("event-types: %d %v", res.status, err)
	}
	var names []string
	for _, ty := range types.Data {
		names = append(names, ty.Name)
		if len(ty.Schema) == 0 || len(ty.Example) == 0 {
			t.Errorf("%s: schema or example missing", ty.Name)
		}
	}
	var want []string
	for _, ty := range e.catalog.Types() {
		want = append(want, ty.Name)
	}
	if len(want) == 0 || !slices.Equal(names, want) {
		t.Fatalf("event types %v, want %v", names, want)
	}

	// A valid event: the catalog's own example.
	var example json.RawMessage
	for _, ty := range e.catalog.Types() {
		if ty.Name == "emailClick" {
			example = ty.Example
		}
	}
	res = e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailClick", "data": example, "id": "producer-key-1"})
	if res.status != http.StatusAccepted || !strings.HasPrefix(fmt.Sprint(res.json(t)["id"]), "evt_") {
		t.Fatalf("publish: %d %s", res.status, res.body)
	}
	if len(e.pub.calls) != 1 {
		t.Fatalf("publish calls %d", len(e.pub.calls))
	}
	c := e.pub.calls[0]
	if c.org != "org_evt" || c.name != "emailClick" || c.producerID != "producer-key-1" || !jsonEqual(c.data, example) {
		t.Fatalf("published %+v", c)
	}

	var data map[string]any
	if err := json.Unmarshal(example, &data); err != nil {
		t.Fatal(err)
	}
	delete(data, "url")
	msg := e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailClick", "data": data}).
		wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
	if !strings.Contains(msg, "data/url") {
		t.Fatalf("message %q does not name the failing path", msg)
	}
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "noSuchEvent", "data": map[string]any{}}).
		wantError(t, http.StatusUnprocessableEntity, "unknown_event_type")
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"data": example}).
		wantError(t, http.StatusUnprocessableEntity, "invalid_event_name")
	// hookrelay's own notices are in the catalog (tenants subscribe to
	// them) but only hookrelay sends them; a tenant's webhook.test is an event like any other.
	reserved := 0
	for _, ty := range e.catalog.Types() {
		if ty.Name == "webhook.disabled" || ty.Name == "webhook.enabled" {
			e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": ty.Name, "data": ty.Example}).
				wantError(t, http.StatusUnprocessableEntity, "reserved_event_type")
			reserved++
		}
	}
	if reserved != 2 {
		t.Fatalf("the catalog has %d of hookrelay's two notices", reserved)
	}
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailClick"}).
		wantError(t, http.StatusUnprocessableEntity, "invalid_event_data")
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailClick", "data": example, "id": strings.Repeat("k", 200)}).
		wantError(t, http.StatusUnprocessableEntity, "invalid_event_id")
	e.do(http.MethodPost, "/api/v1/events", tok, `{"event_name":"emailClick","data":{},"extra":1}`).
		wantError(t, http.StatusBadRequest, "unknown_field")
	// Valid against the schema but too big for an envelope.
	data["url"] = "https://shop.example.com/"
	data["subject"] = strings.Repeat("s", 256<<10)
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailClick", "data": data}).
		wantError(t, http.StatusRequestEntityTooLarge, "body_too_large")
	data["subject"] = strings.Repeat("s", 300<<10)
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailClick", "data": data}).
		wantError(t, http.StatusRequestEntityTooLarge, "body_too_large")
	if len(e.pub.calls) != 1 {
		t.Fatalf("rejected events were published: %d calls", len(e.pub.calls))
	}
	e.pub.err = errBoom
	e.do(http.MethodPost, "/api/v1/events", tok, map[string]any{"event_name": "emailClick", "data": example}).
		wantError(t, http.StatusInternalServerError, "internal_error")
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && fmt.Sprint(x) == fmt.Sprint(y)
}

func TestRoutingErrorsPanicsAndLogs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_route")
	e.do(http.MethodGet, "/api/v1/nope", tok, nil).wantError(t, http.StatusNotFound, "route_not_found")
	e.do(http.MethodGet, "/", "", nil).wantError(t, http.StatusNotFound, "route_not_found")
	res := e.do(http.MethodPut, webhooksPath, tok, `{}`)
	res.wantError(t, http.StatusMethodNotAllowed, "method_not_allowed")
	if allow := res.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Fatalf("Allow %q", allow)
	}

	hook := e.create(tok, createBody("panic", "emailOpen"))
	e.dlv.panicMsg = "panic carrying " + hook.SigningSecret
	res = e.do(http.MethodPost, webhooksPath+"/"+hook.ID+"/test", tok, nil)
	res.wantError(t, http.StatusInternalServerError, "internal_error")
	if strings.Contains(string(res.body), "panic") || strings.Contains(e.logs.String(), hook.SigningSecret) {
		t.Fatal("panic details leaked")
	}
	// The server keeps serving.
	if res := e.do(http.MethodGet, webhooksPath+"/"+hook.ID, tok, nil); res.status != http.StatusOK {
		t.Fatalf("after panic: %d", res.status)
	}

	// One access line per request with the route pattern.
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line not JSON: %s", l)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	last := lines[len(lines)-1]
	if last["method"] != "GET" || last["route"] != "GET "+webhooksPath+"/{id}" || last["status"] != float64(200) ||
		last["org_id"] != "org_route" || last["latency_ms"] == nil {
		t.Fatalf("access log line %v", last)
	}
	// openapi.json (newEnv) + 3 routing errors + create + panic + get.
	if len(lines) != 7 {
		t.Fatalf("%d access lines, want 7", len(lines))
	}
	if !strings.Contains(e.logs.String(), `"route":"unmatched"`) || !strings.Contains(e.logs.String(), `"status":500`) {
		t.Fatal("unmatched or panicking requests not logged")
	}
}

type recordingAdmin struct {
	paths []string
}

func (a *recordingAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.paths = append(a.paths, r.Method+" "+r.URL.Path)
	// A status the API itself never answers, documented for the admin
	// routes (every response is validated against the OpenAPI document).
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = w.Write([]byte(`{"error":{"code":"queue_error","message":"seen by the admin handler"}}`))
}

func TestAdminMount(t *testing.T) {
	t.Parallel()
	admin := &recordingAdmin{}
	e := newEnv(t, func(d *api.Deps) { d.Admin = admin })
	if res := e.do(http.MethodPost, "/api/v1/admin/dlq/redrive", e.operatorToken("org_ops"), nil); res.status != http.StatusBadGateway {
		t.Fatalf("operator: %d %s", res.status, res.body)
	}
	if !slices.Equal(admin.paths, []string{"POST /api/v1/admin/dlq/redrive"}) {
		t.Fatalf("admin saw %v", admin.paths)
	}
	e.do(http.MethodGet, "/api/v1/admin/dlq", e.token("org_tenant"), nil).wantError(t, http.StatusForbidden, "forbidden")
	e.do(http.MethodGet, "/api/v1/admin/dlq", "", nil).wantError(t, http.StatusUnauthorized, "unauthorized")
	if len(admin.paths) != 1 {
		t.Fatal("non-operators reached the admin API")
	}

	without := newEnv(t)
	without.do(http.MethodGet, "/api/v1/admin/dlq", without.operatorToken("org_ops"), nil).wantError(t, http.StatusNotFound, "route_not_found")
}
