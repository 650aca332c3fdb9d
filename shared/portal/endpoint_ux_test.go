package portal

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// TestNoResendWhereTheTenantDisabledTheEndpoint: an endpoint its tenant
// disabled skips a resent delivery, so its attempt log offers no Resend
// (pressing it only added a "Skipped" row) and says why, once. Enabled
// endpoints, failing or not, and one disabled for failing (which holds a
// resent delivery for a recover, or sends a test once) keep it.
func TestNoResendWhereTheTenantDisabledTheEndpoint(t *testing.T) {
	const why = "Resend is off while the endpoint is disabled: enable it to resend a delivery."
	for _, c := range []struct {
		name    string
		hook    hook
		resends bool
	}{
		{"healthy", healthyHook(), true},
		{"failing", failingHook(), true},
		{"disabled for failing", disabledFailingHook(), true},
		{"disabled by the tenant", disabledByTenantHook(), false},
	} {
		api := &fakeAPI{t: t, hook: c.hook, attempts: func(string) attemptPage {
			return attemptPage{Data: []deliverylog.Attempt{
				{DeliveryID: "dlv_2", EventName: "emailClick", Attempt: 1, Outcome: deliverylog.OutcomeSkipped, At: disabledAt},
				{DeliveryID: "dlv_1", EventName: "emailClick", Attempt: 5, Outcome: deliverylog.OutcomeDeadLettered, At: failingSince},
			}}
		}}
		h := testHandler(t, api)
		page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
		if got := strings.Count(page, `action="../webhooks/wh_1/resend"`); c.resends && got != 2 || !c.resends && got != 0 {
			t.Errorf("%s: %d Resend forms for 2 attempts, want Resend %v", c.name, got, c.resends)
		}
		if got := strings.Count(words(page), why); c.resends && got != 0 || !c.resends && got != 1 {
			t.Errorf("%s: the page says %q %d times", c.name, why, got)
		}
	}
}

// TestEndpointSettingsComeBeforeTheLog: the toolbar's Edit settings leads
// to the Settings heading, and the Settings form comes before the attempt
// log (100 rows a page), not thousands of pixels under it.
func TestEndpointSettingsComeBeforeTheLog(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage {
		return attemptPage{Data: []deliverylog.Attempt{{DeliveryID: "dlv_1", EventName: "emailClick", Attempt: 1, Outcome: deliverylog.OutcomeDelivered, At: succeededAt}}}
	}}
	h := testHandler(t, api)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	toolbar := regexp.MustCompile(`(?s)<div class="toolbar"[^>]*>.*?</div>`).FindString(page)
	if !strings.Contains(toolbar, `<a class="button" href="#edit-title">Edit settings</a>`) {
		t.Errorf("the toolbar has no Edit settings link to #edit-title:\n%s", toolbar)
	}
	settings, log := strings.Index(page, `<h2 id="edit-title">Settings</h2>`), strings.Index(page, `<h2 id="log-title">Attempt log</h2>`)
	if settings < 0 || log < 0 || settings > log || strings.Index(page, `action="../webhooks/wh_1" class="form"`) > log {
		t.Errorf("Settings at %d, the attempt log at %d: want Settings and its form first", settings, log)
	}
}
