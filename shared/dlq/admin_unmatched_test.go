package dlq

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// A request no admin route matches gets the JSON error every other answer
// has (README: "Errors are JSON"; openapi's route_not_found and
// method_not_allowed), not ServeMux's plain text; a 405 keeps its Allow.
func TestAdminUnmatchedIsJSON(t *testing.T) {
	h := NewAdminHandler(&Ops{})
	for _, c := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/admin/xyz", 404, "route_not_found", ""},
		{"GET", "/api/v1/admin/dlq/", 404, "route_not_found", ""},
		{"PUT", "/api/v1/admin/dlq", 405, "method_not_allowed", "GET, HEAD"},
		{"DELETE", "/api/v1/admin/dlq/redrive", 405, "method_not_allowed", "GET, HEAD, POST"}, // also GET's {id}
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		var body struct {
			Error struct{ Code, Message string }
		}
		err := json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != c.status || rec.Header().Get("Content-Type") != "application/json" || err != nil || body.Error.Code != c.code || body.Error.Message == "" {
			t.Errorf("%s %s: %d %q %q, want a JSON %d %s error", c.method, c.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body, c.status, c.code)
		}
		if allow := rec.Header().Get("Allow"); allow != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, allow, c.allow)
		}
	}
}
