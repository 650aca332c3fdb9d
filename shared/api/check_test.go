package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/config"
)

// TestCheckAnswersAsTheAPI: CheckURL and CheckName refuse exactly the
// URLs and names a create refuses, with the same status, code and words;
// CheckURL in a deployed stack and in dev mode (it reads the same config
// as the API).
func TestCheckAnswersAsTheAPI(t *testing.T) {
	t.Parallel()
	cases := []struct{ field, value string }{
		{"url", "https://example.com/hooks"}, {"url", "example.com/hook"}, {"url", "http://example.com/h"},
		{"url", "ftp://example.com/h"}, {"url", "https://user:pw@example.com/h"}, {"url", "https://10.1.2.3/h"},
		{"url", "http://127.0.0.1:9000/h"}, {"url", "http://127.0.0.1:4100/"}, {"url", "https://hooks..example.com/h"},
		{"url", "https://example.com:70000/h"},
		{"name", "Orders"}, {"name", "  "}, {"name", strings.Repeat("n", 101)}, {"name", "a\u202eb"}, {"name", "tab\there"},
	}
	for _, dev := range []bool{false, true} {
		e := newEnv(t, func(d *api.Deps) {
			d.Config.AllowLoopback = dev
			d.Config.DeniedLoopbackPorts = []int{4100}
		})
		tok := e.token("org_check")
		check := map[string]func(config.Config, string) error{
			"url":  api.CheckURL,
			"name": func(_ config.Config, name string) error { return api.CheckName(name) },
		}
		for _, c := range cases {
			body := map[string]any{"name": "check", "url": "https://example.com/h", "all_events": true}
			body[c.field] = c.value
			res := e.do(http.MethodPost, webhooksPath, tok, body)
			err := check[c.field](e.cfg, c.value)
			if res.status == http.StatusCreated {
				if err != nil {
					t.Errorf("dev %v, %s %q: the API accepts it, the check says %v", dev, c.field, c.value, err)
				}
				continue
			}
			msg := res.wantError(t, http.StatusBadRequest, "invalid_"+c.field)
			var ce *api.CallError
			if !errors.As(err, &ce) || *ce != (api.CallError{Status: http.StatusBadRequest, Code: "invalid_" + c.field, Message: msg}) {
				t.Errorf("dev %v, %s %q: the check says %v, the API 400 invalid_%s %q", dev, c.field, c.value, err, c.field, msg)
			}
		}
	}
}
