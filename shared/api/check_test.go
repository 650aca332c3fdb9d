package api_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
)

// TestCheckURLAnswersAsTheAPI: CheckURL refuses exactly the URLs a create
// refuses, with the same status, code and words, in a deployed stack and
// in dev mode (where it reads the same config as the API).
func TestCheckURLAnswersAsTheAPI(t *testing.T) {
	t.Parallel()
	urls := []string{
		"https://example.com/hooks", "example.com/hook", "http://example.com/h", "ftp://example.com/h",
		"https://user:pw@example.com/h", "https://10.1.2.3/h", "http://127.0.0.1:9000/h", "http://127.0.0.1:4100/",
		"https://hooks..example.com/h", "https://example.com:70000/h",
	}
	for _, dev := range []bool{false, true} {
		e := newEnv(t, func(d *api.Deps) {
			d.Config.AllowLoopback = dev
			d.Config.DeniedLoopbackPorts = []int{4100}
		})
		tok := e.token("org_check")
		for _, u := range urls {
			res := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": "check", "url": u, "all_events": true})
			err := api.CheckURL(e.cfg, u)
			if res.status == http.StatusCreated {
				if err != nil {
					t.Errorf("dev %v, %s: the API accepts it, CheckURL says %v", dev, u, err)
				}
				continue
			}
			msg := res.wantError(t, http.StatusBadRequest, "invalid_url")
			var ce *api.CallError
			if !errors.As(err, &ce) || *ce != (api.CallError{Status: http.StatusBadRequest, Code: "invalid_url", Message: msg}) {
				t.Errorf("dev %v, %s: CheckURL says %v, the API 400 invalid_url %q", dev, u, err, msg)
			}
		}
	}
}
