package dlq

import (
	"net/url"
	"strings"
	"testing"
)

// What an operator sent (a query parameter, a filter value, an id) is
// named in the error by its start only: a 10,000-character value does
// not come back whole, nor reach the CLI's terminal.
func TestAdminErrorsEchoOnlyTheStartOfWhatWasSent(t *testing.T) {
	long := "kxxxxxxxxx" + strings.Repeat("😀", 2_500)
	esc := url.QueryEscape(long)
	h := NewAdminHandler(New(nil, "", nil, nil))
	for _, c := range []struct{ method, target, body, start string }{
		{"GET", "/api/v1/admin/dlq?" + esc + "=1", "", `unknown query parameter "kxxxxxxxxx`},
		{"GET", "/api/v1/admin/dlq?organization_id=" + esc, "", `invalid filter: organization_id "kxxxxxxxxx`},
		{"GET", "/api/v1/admin/dlq?webhook_id=" + esc, "", `invalid filter: webhook_id "kxxxxxxxxx`},
		{"GET", "/api/v1/admin/dlq?reason=" + esc, "", `invalid filter: reason "kxxxxxxxxx`},
		{"GET", "/api/v1/admin/dlq?tier=" + esc, "", `invalid filter: tier "kxxxxxxxxx`},
		{"GET", "/api/v1/admin/dlq?since=1" + strings.Repeat("0", 10_000) + "h", "", `invalid filter: since "1000000000`},
		{"GET", "/api/v1/admin/dlq?since=2099-01-01T00:00:00." + strings.Repeat("0", 10_000) + "Z", "", `invalid filter: since "2099-01-01T00:00:00.000`},
		{"POST", "/api/v1/admin/dlq/redrive", `{"` + long + `":1}`, `unknown field "kxxxxxxxxx`},
		{"POST", "/api/v1/admin/dlq/purge", `{"confirm":true,"organization_id":"` + long + `"}`, `invalid filter: organization_id "kxxxxxxxxx`},
	} {
		status, resp := call(t, h, c.method, c.target, c.body)
		e, _ := resp["error"].(map[string]any)
		msg, _ := e["message"].(string)
		// At most 64 bytes of the value, within the message's own words.
		if status != 400 || len(msg) > 400 || strings.Count(msg, "😀") > 14 || strings.Contains(msg, strings.Repeat("0", 65)) || !strings.HasPrefix(msg, c.start) {
			t.Errorf("%s %.60s: %d, %d-byte message %.300q, want 400 naming at most 64 bytes of the value, starting %q", c.method, c.target, status, len(msg), msg, c.start)
		}
	}
}

func TestAdminShowEchoesOnlyTheStartOfTheID(t *testing.T) {
	f := newFixture(t, 0)
	h := NewAdminHandler(f.ops(nil))
	status, resp := call(t, h, "GET", "/api/v1/admin/dlq/kxxxxxxxxx"+url.PathEscape(strings.Repeat("😀", 2_500)), "")
	e, _ := resp["error"].(map[string]any)
	msg, _ := e["message"].(string)
	if status != 404 || len(msg) > 200 || !strings.HasPrefix(msg, `no dead letter "kxxxxxxxxx`) {
		t.Errorf("show: %d, %d-byte message %.300q, want 404 and at most 200 bytes naming the id's start", status, len(msg), msg)
	}
}
