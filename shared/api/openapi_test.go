package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dlq"
)

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// concrete fills every {param} of a path template with a sample value.
func concrete(template string) string {
	return pathParam.ReplaceAllString(template, "sample_1")
}

// TestOpenAPICoversEveryRoute checks both directions with kin-openapi's
// router: every route the handler registers resolves to the spec operation
// with the same method and path template, and every spec operation reaches
// the handler's route of the same pattern (and the same auth requirement).
func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPISpec())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(Deps{Config: config.Defaults(), Catalog: catalogtest.Default(t), Admin: http.NotFoundHandler()})

	// The admin routes are served by the DLQ package's handler behind the
	// operator check: the document must list exactly those.
	for _, pattern := range dlq.AdminRoutes {
		method, path, _ := strings.Cut(pattern, " ")
		route, _, err := router.FindRoute(httptest.NewRequest(method, concrete(path), nil))
		if err != nil || route.Method != method || route.Path != path {
			t.Errorf("admin route %s is not in the OpenAPI document (%v)", pattern, err)
		}
	}
	adminOps := 0

	public := map[string]bool{}
	for _, rt := range s.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		public[rt.pattern] = rt.public
		route, _, err := router.FindRoute(httptest.NewRequest(method, concrete(path), nil))
		if err != nil {
			t.Errorf("route %s is not in the OpenAPI document: %v", rt.pattern, err)
			continue
		}
		if route.Method != method || route.Path != path {
			t.Errorf("route %s resolves to spec operation %s %s", rt.pattern, route.Method, route.Path)
		}
	}

	operations := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			operations++
			pattern := method + " " + path
			if strings.HasPrefix(path, adminPrefix) {
				adminOps++
				if !slices.Contains(dlq.AdminRoutes, pattern) {
					t.Errorf("spec operation %s is not an admin route", pattern)
				}
				if _, got := s.mux.Handler(httptest.NewRequest(method, concrete(path), nil)); got != adminPrefix {
					t.Errorf("spec operation %s is not routed to the admin mount (%q)", pattern, got)
				}
				continue
			}
			_, got := s.mux.Handler(httptest.NewRequest(method, concrete(path), nil))
			if got != pattern {
				t.Errorf("spec operation %s is served by %q", pattern, got)
				continue
			}
			specPublic := op.Security != nil && len(*op.Security) == 0
			if specPublic != public[pattern] {
				t.Errorf("%s: spec says public=%v, handler says %v", pattern, specPublic, public[pattern])
			}
		}
	}
	if operations-adminOps != len(s.routes()) || adminOps != len(dlq.AdminRoutes) {
		t.Errorf("%d spec operations (%d admin), %d routes + %d admin routes", operations, adminOps, len(s.routes()), len(dlq.AdminRoutes))
	}
}

// TestOpenAPIServedWithTheCallersServer: the served document is the
// embedded one but for servers, which names the scheme, host and stage the
// caller used, so a client generated from ${ApiUrl}openapi.json calls the
// operations under a named stage too (OpenAPI would resolve the embedded
// "/" against the host alone).
func TestOpenAPIServedWithTheCallersServer(t *testing.T) {
	s := newServer(Deps{Config: config.Defaults(), Catalog: catalogtest.Default(t)})
	lambda := httpadapter.NewV2(StripStage(s))
	for _, c := range []struct{ stage, path, server, operation string }{
		{"prod", "/prod/openapi.json", "https://h.example/prod", "https://h.example/prod/api/v1/event-types"},
		{"$default", "/openapi.json", "https://h.example", "https://h.example/api/v1/event-types"},
	} {
		res, err := lambda.ProxyWithContext(context.Background(), events.APIGatewayV2HTTPRequest{
			Version: "2.0", RawPath: c.path,
			Headers: map[string]string{"host": "h.example", "x-forwarded-proto": "https"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				Stage: c.stage, DomainName: "h.example",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodGet, Path: c.path},
			},
		})
		if err != nil || res.StatusCode != http.StatusOK || res.Headers["Content-Type"] != "application/json" {
			t.Fatalf("stage %s: GET %s: %v %d %v", c.stage, c.path, err, res.StatusCode, res.Headers)
		}
		served := checkServedDocument(t, []byte(res.Body), c.server)
		router, err := gorillamux.NewRouter(served)
		if err != nil {
			t.Fatal(err)
		}
		if route, _, err := router.FindRoute(httptest.NewRequest(http.MethodGet, c.operation, nil)); err != nil || route.Path != "/api/v1/event-types" {
			t.Errorf("stage %s: %s resolves to no operation of the served document: %v", c.stage, c.operation, err)
		}
	}

	// make dev: plain HTTP, no stage.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	checkServedDocument(t, rec.Body.Bytes(), "http://127.0.0.1:8080")
}

// checkServedDocument asserts that doc is the embedded document with
// servers [{"url": server}], and returns it loaded.
func checkServedDocument(t *testing.T, doc []byte, server string) *openapi3.T {
	t.Helper()
	var served, embedded map[string]any
	if err := json.Unmarshal(doc, &served); err != nil {
		t.Fatalf("served document: %v", err)
	}
	if err := json.Unmarshal(openAPISpec(), &embedded); err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"url": server}}
	if !reflect.DeepEqual(served["servers"], want) {
		t.Errorf("servers = %v, want %v", served["servers"], want)
	}
	delete(served, "servers")
	delete(embedded, "servers")
	if !reflect.DeepEqual(served, embedded) {
		t.Error("the served document differs from the embedded one beyond servers")
	}
	loaded, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// TestOpenAPIEventExamplesPassTheCatalog: an example event in the document
// (any object with event_name and data) is one the API accepts, so a tool
// that replays the document's examples starts from a working call.
func TestOpenAPIEventExamplesPassTheCatalog(t *testing.T) {
	var doc any
	if err := json.Unmarshal(openAPISpec(), &doc); err != nil {
		t.Fatal(err)
	}
	c := catalogtest.Default(t)
	found := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			name, isName := v["event_name"].(string)
			if data, hasData := v["data"]; isName && hasData {
				found++
				raw, err := json.Marshal(data)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Validate(name, raw); err != nil {
					t.Errorf("example %s data %s: %v", name, raw, err)
				}
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	if found == 0 {
		t.Fatal("the document has no example event")
	}
}
