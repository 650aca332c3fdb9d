package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A Resend of a delivery whose type the endpoint no longer subscribes to
// shows the endpoint page again, whose Settings hold the fix, with what
// to do in the form's words.
func TestResendOfAnUnsubscribedTypeSaysWhatToDo(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook(), unsubscribed: "emailOpen"}
	api.hook.AllEvents, api.hook.EventTypes = false, []string{"emailClick"}
	h := testHandler(t, api)
	w := post(h, h.resend, "/portal/webhooks/wh_1/resend", url.Values{"csrf": {"token"}, "delivery_id": {"dlv_1"}})
	page := w.Body.String()
	want := "This endpoint no longer receives emailOpen events. Tick emailOpen under Settings → Events to send and save, then press Resend again."
	if w.Code != http.StatusConflict || !strings.Contains(words(page), want) || !strings.Contains(page, `id="all_events"`) || strings.Contains(page, "event_types (") {
		t.Errorf("resend of an unsubscribed type (%d):\n%s", w.Code, words(page))
	}
}
