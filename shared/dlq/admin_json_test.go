package dlq

import (
	"strings"
	"testing"
)

// A body the admin routes cannot read is answered in words, naming the
// key by its JSON name as the tenant routes do, not with encoding/json's
// Go names or a bare "EOF". The code stays invalid_json.
func TestAdminBodyErrorsAreWorded(t *testing.T) {
	h := NewAdminHandler(&Ops{})
	for _, c := range []struct{ path, body, want string }{
		{"redrive", `{"all":"yes"}`, "all must be a boolean"},
		{"redrive", `{"ids":"a"}`, "ids must be an array"}, // FilterSpec.ids to encoding/json
		{"purge", `{"confirm":1}`, "confirm must be a boolean"},
		{"redrive", ``, "request body must be a JSON object"},
		{"redrive", `{x`, "request body is not valid JSON"},
		{"purge", `{"all":true,"all":true}`, `repeats the key "all"`},
		{"purge", `{"confirm":"` + strings.Repeat("x", maxBody) + `"}`, "request body exceeds 1048576 bytes"},
	} {
		status, resp := call(t, h, "POST", "/api/v1/admin/dlq/"+c.path, c.body)
		e, _ := resp["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if status != 400 || errorCode(resp) != "invalid_json" || !strings.Contains(msg, c.want) || strings.Contains(msg, "json:") {
			t.Errorf("%s with %.40q: %d %v, want 400 invalid_json %q", c.path, c.body, status, resp, c.want)
		}
	}
}

// ids is a list of strings: a null entry, which encoding/json reads as "",
// is refused as a wrong type.
func TestAdminIDsMustBeStrings(t *testing.T) {
	h := NewAdminHandler(New(nil, "", nil, nil))
	for _, body := range []string{`{"ids":[null]}`, `{"ids":["a",null]}`} {
		status, resp := call(t, h, "POST", "/api/v1/admin/dlq/redrive", body)
		e, _ := resp["error"].(map[string]any)
		if msg, _ := e["message"].(string); status != 400 || errorCode(resp) != "invalid_json" || msg != "ids must be an array of strings" {
			t.Errorf("redrive with %s: %d %v, want 400 invalid_json: ids must be an array of strings", body, status, resp)
		}
	}
}
