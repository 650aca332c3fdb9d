package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/hookrelay/hookrelay/shared/api"
)

// TestStripStageServesANamedStageAtTheRoot goes through the adapter the api
// Lambda uses, with the paths API Gateway sends.
func TestStripStageServesANamedStageAtTheRoot(t *testing.T) {
	var seen string
	h := httpadapter.NewV2(api.StripStage(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.Path
		w.WriteHeader(http.StatusNoContent)
	})))
	for _, c := range []struct{ stage, path, want string }{
		{"prod", "/prod/api/v1/event-types", "/api/v1/event-types"},
		{"prod", "/prod", "/"},
		{"prod", "/prod/portal/", "/portal/"},
		{"prod", "/production/api/v1/event-types", "/production/api/v1/event-types"},
		{"$default", "/api/v1/event-types", "/api/v1/event-types"},
		{"$default", "/prod/api/v1/event-types", "/prod/api/v1/event-types"},
	} {
		seen = ""
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: c.path, RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: c.stage, HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: c.path},
		}}
		if _, err := h.ProxyWithContext(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		if seen != c.want {
			t.Errorf("stage %s, path %s: the handler saw %q, want %q", c.stage, c.path, seen, c.want)
		}
	}
	// Outside Lambda (make dev) there is no stage: the path is left alone.
	seen = ""
	req, _ := http.NewRequest("GET", "http://127.0.0.1/prod/x", nil)
	api.StripStage(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.URL.Path })).ServeHTTP(nil, req)
	if seen != "/prod/x" {
		t.Errorf("without a stage the handler saw %q", seen)
	}
}
