package portal

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

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
