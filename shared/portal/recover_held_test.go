package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// After a recover that left parked deliveries behind (more), the endpoint
// page opened again without the redirect's query (a reload, the list, a
// later visit) still offers Recover, from the oldest one the API says
// remains, as long as the API says some do; not once none remain.
func TestRecoverIsOfferedWhileParkedDeliveriesRemain(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": true, "queued": 1000, "parked": 1000, "dead_lettered": 0, "more": true}
	}}
	h := testHandler(t, api)
	post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"2026-11-23T09:15:07Z"}, "csrf": {"token"}})
	api.hook.Enabled, api.hook.DisabledReason, api.hook.DisabledAt, api.hook.Health = true, "", time.Time{}, webhook.Health{}
	api.hook.ParkedFrom = time.Date(2026, 11, 23, 8, 59, 30, 500, time.UTC)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if !strings.Contains(page, `/recover"`) || !strings.Contains(page, `name="since" type="text" value="2026-11-23T08:59:30Z"`) {
		t.Errorf("parked deliveries remain, but the endpoint page offers no Recover from the oldest:\n%s", words(page))
	}
	if !strings.Contains(words(page), "held while it was disabled for failing have not been sent yet") {
		t.Errorf("the page does not say events are still held:\n%s", words(page))
	}
	api.hook.ParkedFrom = time.Time{}
	if page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); strings.Contains(page, `/recover"`) {
		t.Errorf("none remain, but the healthy endpoint's page offers Recover")
	}
}

// A parked endpoint the tenant then disabled keeps its failure run, which
// began before the parked deliveries: Recover starts at the run's start,
// so the run's dead letters are queued again too.
func TestRecoverOfATenantDisabledParkedEndpointStartsAtTheRun(t *testing.T) {
	hk := disabledByTenantHook()
	hk.Health.FailingSince = time.Date(2026, 11, 23, 9, 15, 7, 0, time.UTC)
	hk.ParkedFrom = time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)
	d := recoverForm(httptest.NewRequest("GET", "/portal/webhooks/wh_1", nil), hk)
	if !d.Show || d.Since != "2026-11-23T09:15:07Z" {
		t.Fatalf("recover form %+v, want it shown from the run's start 2026-11-23T09:15:07Z", d)
	}
	hk.Health.FailingSince = time.Time{} // enabled since: the run ended
	if d := recoverForm(httptest.NewRequest("GET", "/portal/webhooks/wh_1", nil), hk); d.Since != "2026-11-28T10:30:00Z" {
		t.Fatalf("recover form without a run %+v, want it from parked_from", d)
	}
}
