package portal

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// logCell is the cell of the row for dlv under the column label.
func logCell(t *testing.T, page, dlv, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<tr data-delivery="` + dlv + `">[\s\S]*?<td data-label="` + label + `">([\s\S]*?)</td>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s cell for %s:\n%s", label, dlv, page)
	}
	return m[1]
}

// TestAttemptLogSaysErrorsInWords: the Error column reads as a short
// phrase, with the API's error class kept beside it (what the API, the
// DLQ and support speak of), and an attempt that sent nothing shows no
// latency instead of a made-up "0 ms".
func TestAttemptLogSaysErrorsInWords(t *testing.T) {
	at := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	api := &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage {
		return attemptPage{Data: []deliverylog.Attempt{
			{DeliveryID: "dlv_skipped", EventName: "webhook.test", Attempt: 1, Outcome: deliverylog.OutcomeSkipped, ErrorClass: delivery.ClassWebhookDisabled, At: at},
			{DeliveryID: "dlv_refused", EventName: "emailOpen", Attempt: 1, Outcome: deliverylog.OutcomeRetrying, ErrorClass: delivery.ClassConnectionRefused, LatencyMS: 3, At: at},
			{DeliveryID: "dlv_new", EventName: "emailOpen", Attempt: 1, Outcome: deliverylog.OutcomeRetrying, ErrorClass: "brand_new_class", LatencyMS: 0, At: at},
		}}
	}}
	h := testHandler(t, api)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	for dlv, want := range map[string]string{
		"dlv_skipped": "endpoint disabled webhook_disabled",
		"dlv_refused": "connection refused connection_refused",
		"dlv_new":     "brand_new_class",
	} {
		// <wbr> (a break allowed after an underscore) is no space.
		cell := strings.ReplaceAll(logCell(t, page, dlv, "Error"), "<wbr>", "")
		if got := words(cell); got != want {
			t.Errorf("%s: the Error cell says %q, want %q", dlv, got, want)
		}
	}
	for dlv, want := range map[string]string{"dlv_skipped": "—", "dlv_refused": "3 ms", "dlv_new": "0 ms"} {
		if got := words(logCell(t, page, dlv, "Latency")); got != want {
			t.Errorf("%s: latency %q, want %q", dlv, got, want)
		}
	}
	// Every class delivery records has its phrase.
	for _, c := range []string{delivery.ClassTimeout, delivery.ClassConnectionReset, delivery.ClassConnectionRefused, delivery.ClassConnectionClosed,
		delivery.ClassConnection, delivery.ClassDNS, delivery.ClassTLS, delivery.ClassBlockedAddress, delivery.ClassInvalidURL, delivery.ClassSigning,
		delivery.ClassWebhookDeleted, delivery.ClassWebhookDisabled, delivery.ClassUnsubscribed, delivery.ClassRetriesSpent, delivery.ClassHeadersTooLarge} {
		if p := errorPhrase(c); p == "" || strings.Contains(p, "_") {
			t.Errorf("error class %s reads %q", c, p)
		}
	}
}

// TestPickerSaysTestsNeedNoSubscription: webhook.test is in the catalog
// (an endpoint may subscribe to it), but Send test event reaches every
// endpoint whatever it subscribes to, and the picker says so beside it, so
// no one ticks it "to be able to test".
func TestPickerSaysTestsNeedNoSubscription(t *testing.T) {
	h := testHandler(t, &fakeAPI{t: t, hook: healthyHook()})
	page := get(h, h.newForm, "/portal/webhooks/new").Body.String()
	m := regexp.MustCompile(`<div class="event"><label><input type="checkbox" name="event_types" value="webhook.test"[\s\S]*?</details>`).FindString(page)
	if !strings.Contains(words(m), "Send test event does not need it: test events reach every endpoint, whatever it subscribes to.") {
		t.Errorf("the picker does not say that tests need no subscription:\n%s", m)
	}
	if n := strings.Count(words(page), "Send test event does not need it"); n != 1 {
		t.Errorf("the note is on %d types, want webhook.test only", n)
	}
}
