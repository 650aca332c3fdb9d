package portal

import (
	"net/url"
	"strings"
	"testing"
)

// The dev-mode hint on an http URL ("http is accepted only on a loopback
// host in dev mode") is for make dev alone, whose config allows loopback:
// a deployed stack's tenant is told only to use https.
func TestTheHTTPURLHintNamesDevModeOnlyInDevMode(t *testing.T) {
	for dev, want := range map[bool]string{
		false: "The endpoint URL must use https.",
		true:  "The endpoint URL must use https (http is accepted only on a loopback host in dev mode).",
	} {
		h := testHandler(t, &fakeAPI{t: t, hook: healthyHook()})
		h.o.Config.AllowLoopback = dev
		page := words(post(h, h.create, "/portal/webhooks/new", url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"http://example.com/hook"}, "all_events": {"true"}}).Body.String())
		if !strings.Contains(page, want) || (!dev && strings.Contains(page, "dev mode")) {
			t.Errorf("loopback allowed %v: want %q in\n%s", dev, want, page)
		}
	}
}
