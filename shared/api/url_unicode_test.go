package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
)

// A host written with non-ASCII characters is refused, in both modes:
// net/http maps fullwidth and ideographic forms to the loopback, private
// and metadata addresses the API refuses in ASCII. Its xn-- form is
// accepted.
func TestNonASCIIHostsAreRefused(t *testing.T) {
	t.Parallel()
	for _, dev := range []bool{false, true} {
		e := newEnv(t, func(d *api.Deps) { d.Config.AllowLoopback = dev })
		tok := e.token("org_idn")
		for _, raw := range []string{
			"https://１２７.０.０.１/h", "https://127。0。0。1/h", "https://１６９.２５４.１６９.２５４/latest/meta-data/",
			"https://ｌｏｃａｌｈｏｓｔ/h", "http://ｌｏｃａｌｈｏｓｔ:9000/h", "https://bücher.example/h",
			"https://%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1/h",
		} {
			msg := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": "x", "url": raw, "all_events": true}).
				wantError(t, http.StatusBadRequest, "invalid_url")
			if !strings.Contains(msg, "xn--") {
				t.Errorf("dev=%v %s: message %q does not say how to write the host", dev, raw, msg)
			}
		}
		const idn = "https://xn--bcher-kva.example/h"
		if got := e.create(tok, map[string]any{"name": "idn", "url": idn, "all_events": true}); got.URL != idn {
			t.Fatalf("url %s stored as %s", idn, got.URL)
		}
	}
}
