package dlq

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// apiSpec routes requests to the API's OpenAPI document, which describes
// the admin routes this package serves.
var apiSpec = sync.OnceValues(func() (routers.Router, error) {
	raw, err := os.ReadFile("../api/openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// call sends a request to h and checks the answer against the OpenAPI
// document (status, error codes and body) before returning it.
func call(t *testing.T, h http.Handler, method, target, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: content type %q", method, target, ct)
	}
	router, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	probe := httptest.NewRequest(method, target, nil)
	if route, params, err := router.FindRoute(probe); err == nil {
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route},
			Status:                 rec.Code,
			Header:                 rec.Header(),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true},
		}
		in.SetBodyBytes(rec.Body.Bytes())
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s -> %d does not match the OpenAPI document: %v", method, target, rec.Code, err)
		}
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, target, err, rec.Body)
	}
	return rec.Code, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestAdminHandlerRoutes(t *testing.T) {
	f := newFixture(t, 20)
	h := NewAdminHandler(f.ops(nil))

	status, body := call(t, h, "GET", "/api/v1/admin/dlq?organization_id=org_b&tier=endpoint", "")
	want := f.bodies(func(s seed) bool { return s.org == "org_b" && s.tier == TierEndpoint })
	if status != 200 || int(body["count"].(float64)) != len(want) {
		t.Fatalf("list: %d %v, want %d entries", status, body["count"], len(want))
	}
	got := map[string]int{}
	for _, e := range body["entries"].([]any) {
		got[e.(map[string]any)["body"].(string)]++
	}
	sameSet(t, "admin list", got, want)

	for _, bad := range []string{"?tier=bogus", "?reason=bogus", "?since=yesterday", "?org=org_b", "?organization_id=org%20b", "?organization_id=a%23b",
		"?webhook_id=bad%20id", "?webhook_id=org_a", "?since=2999-01-01T00:00:00Z"} {
		if status, body := call(t, h, "GET", "/api/v1/admin/dlq"+bad, ""); status != 400 || errorCode(body) != "invalid_filter" {
			t.Errorf("list%s: %d %v, want 400 invalid_filter", bad, status, body)
		}
	}

	// id, repeated, selects dead letters by delivery id (or message id).
	status, body = call(t, h, "GET", "/api/v1/admin/dlq?id=dlv_004&id=dlv_007", "")
	if status != 200 {
		t.Fatalf("list by id: %d %v", status, body)
	}
	got = map[string]int{}
	for _, e := range body["entries"].([]any) {
		got[e.(map[string]any)["body"].(string)]++
	}
	sameSet(t, "admin list by id", got, f.bodies(func(s seed) bool { return s.deliveryID == "dlv_004" || s.deliveryID == "dlv_007" }))

	if status, body := call(t, h, "GET", "/api/v1/admin/dlq/dlv_004", ""); status != 200 || body["reason"] != "max_receive_exceeded" || body["tier"] != TierPipeline {
		t.Errorf("show: %d %v", status, body)
	}
	if status, body := call(t, h, "GET", "/api/v1/admin/dlq/no-such-message", ""); status != 404 || errorCode(body) != "not_found" {
		t.Errorf("show unknown: %d %v, want 404 not_found", status, body)
	}

	if status, body := call(t, h, "POST", "/api/v1/admin/dlq/purge", `{"organization_id":"org_a"}`); status != 400 || errorCode(body) != "confirmation_required" {
		t.Errorf("purge without confirm: %d %v", status, body)
	}
	if status, body := call(t, h, "POST", "/api/v1/admin/dlq/purge", `{"confirm":true}`); status != 400 || errorCode(body) != "selection_required" {
		t.Errorf("purge without selection: %d %v", status, body)
	}
	// An unknown key is unknown_field, worded as the tenant routes word it
	// (README "The API").
	for path, body := range map[string]string{"redrive": `{"org_id":"org_a"}`, "purge": `{"Confirm":true,"all":true}`} {
		status, resp := call(t, h, "POST", "/api/v1/admin/dlq/"+path, body)
		e, _ := resp["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if status != 400 || errorCode(resp) != "unknown_field" || !strings.HasPrefix(msg, `unknown field "`) {
			t.Errorf("%s with a misspelt key: %d %v, want 400 unknown_field", path, status, resp)
		}
	}
	for _, filter := range []string{`"webhook_id":"wh_ORGA0"`, `"since":"2999-01-01T00:00:00Z"`} {
		if status, body := call(t, h, "POST", "/api/v1/admin/dlq/purge", `{"confirm":true,`+filter+`}`); status != 400 || errorCode(body) != "invalid_filter" {
			t.Errorf("purge with %s: %d %v, want 400 invalid_filter", filter, status, body)
		}
	}
	if status, body := call(t, h, "POST", "/api/v1/admin/dlq/redrive", `{"all":true,"tier":"endpoint"}`); status != 400 || errorCode(body) != "invalid_filter" {
		t.Errorf("redrive all plus a filter: %d %v", status, body)
	}
	// Text that is not valid UTF-8 is refused, not read with U+FFFD in it.
	for _, body := range []string{"{\"organization_id\":\"org_a\xff\",\"confirm\":true}", `{"organization_id":"org_a\udc00","confirm":true}`} {
		if status, resp := call(t, h, "POST", "/api/v1/admin/dlq/purge", body); status != 400 || errorCode(resp) != "invalid_json" {
			t.Errorf("purge with %q: %d %v, want 400 invalid_json", body, status, resp)
		}
	}
	if all := listAll(t, f.ops(nil), Filter{}, DefaultPageLimit); len(all) != 20 {
		t.Fatalf("refused requests changed the DLQ: %d of 20 left", len(all))
	}

	status, body = call(t, h, "POST", "/api/v1/admin/dlq/redrive", `{"webhook_id":"wh_orga0","dry_run":true}`)
	dry := f.bodies(func(s seed) bool { return s.webhook == "wh_orga0" })
	if status != 200 || body["dry_run"] != true || int(body["eligible"].(float64)) != len(dry) || int(body["redriven"].(float64)) != len(dry) {
		t.Errorf("dry-run redrive: %d %v, want %d eligible and to be redriven", status, body, len(dry))
	}

	purged := f.bodies(func(s seed) bool { return s.org == "org_a" })
	status, body = call(t, h, "POST", "/api/v1/admin/dlq/purge", `{"organization_id":"org_a","confirm":true}`)
	if status != 200 || int(body["purged"].(float64)) != len(purged) {
		t.Fatalf("purge: %d %v, want %d", status, body, len(purged))
	}
	sameSet(t, "DLQ after purge", count(drain(t, f.q, f.dlqURL)), f.bodies(func(s seed) bool { return !purged[s.body] }))
}
