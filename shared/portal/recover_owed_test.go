package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// After a recover whose dead-letter read was skipped (the organization's
// dead letters were read less than 30 s before), the endpoint page opened
// again without the redirect's query (from the list, a minute later)
// still offers Recover, from the time the API says dead letters are owed
// from, until a recover reads them.
func TestRecoverIsOfferedWhileDeadLettersAreOwed(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": true, "queued": 2, "parked": 2, "more": false, "dead_letters_incomplete": true}
	}}
	h := testHandler(t, api)
	post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"2026-11-23T09:15:07Z"}, "csrf": {"token"}})
	api.hook.Enabled, api.hook.DisabledReason, api.hook.DisabledAt, api.hook.Health = true, "", time.Time{}, webhook.Health{}
	api.hook.DeadLettersFrom = time.Date(2026, 11, 23, 9, 15, 7, 0, time.UTC)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if !strings.Contains(page, `/recover"`) || !strings.Contains(page, `name="since" type="text" value="2026-11-23T09:15:07Z"`) {
		t.Errorf("dead letters are owed, but the endpoint page offers no Recover from then:\n%s", words(page))
	}
	if !strings.Contains(words(page), "Some failed deliveries have not been sent again yet") {
		t.Errorf("the page does not say failed deliveries are still to be sent:\n%s", words(page))
	}
	// Parked ones from earlier: Recover starts at the earlier of the two.
	api.hook.ParkedFrom = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); !strings.Contains(page, `name="since" type="text" value="2026-11-23T08:00:00Z"`) {
		t.Errorf("Recover does not start at the earlier parked delivery:\n%s", words(page))
	}
	api.hook.ParkedFrom, api.hook.DeadLettersFrom = time.Time{}, time.Time{}
	if page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); strings.Contains(page, `/recover"`) {
		t.Errorf("nothing is owed, but the healthy endpoint's page offers Recover")
	}
}
