package portal

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// TestFailedAttemptsDeliveredLaterOfferNoResend: an attempt that failed
// (gave up, or any other failure) of a delivery a newer attempt delivered
// (a Recover, a Resend) says so and has no Resend, which would deliver it
// twice, also when the filter shows only the failures. A failure with no
// newer delivered attempt keeps its Resend, and so
// does one delivered only before it failed.
func TestFailedAttemptsDeliveredLaterOfferNoResend(t *testing.T) {
	at := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	api := &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage {
		return attemptPage{Data: []deliverylog.Attempt{
			{DeliveryID: "dlv_recovered", EventName: "emailOpen", Attempt: 1, Outcome: deliverylog.OutcomeDelivered, At: at.Add(10 * time.Minute)},
			{DeliveryID: "dlv_lost", EventName: "emailOpen", Attempt: 4, Outcome: deliverylog.OutcomeDeadLettered, At: at.Add(2 * time.Minute)},
			{DeliveryID: "dlv_recovered", EventName: "emailOpen", Attempt: 4, Outcome: deliverylog.OutcomeDeadLettered, At: at.Add(time.Minute)},
			{DeliveryID: "dlv_again", EventName: "emailOpen", Attempt: 1, Outcome: deliverylog.OutcomeDeadLettered, At: at.Add(time.Minute)},
			{DeliveryID: "dlv_recovered", EventName: "emailOpen", Attempt: 3, Outcome: deliverylog.OutcomeRetrying, At: at},
			{DeliveryID: "dlv_again", EventName: "emailOpen", Attempt: 1, Outcome: deliverylog.OutcomeDelivered, At: at},
		}}
	}}
	h := testHandler(t, api)
	resend := func(page, dlv string) bool {
		return strings.Contains(page, `<input type="hidden" name="delivery_id" value="`+dlv+`">`)
	}
	for _, target := range []string{"/portal/webhooks/wh_1", "/portal/webhooks/wh_1?outcome=dead_lettered"} {
		page := get(h, h.endpoint, target).Body.String()
		failed := 0
		for _, r := range regexp.MustCompile(`<tr data-delivery="dlv_recovered">[\s\S]*?</tr>`).FindAllString(page, -1) {
			if strings.Contains(r, `class="badge delivered"`) {
				if !resend(r, "dlv_recovered") {
					t.Errorf("%s: the delivered attempt lost its Resend:\n%s", target, r)
				}
				continue
			}
			failed++
			if !strings.Contains(words(r), "Delivered later, 2026-12-02 06:10:00 UTC") {
				t.Errorf("%s: a failed attempt of a delivery delivered later does not say so:\n%s", target, words(r))
			}
			if resend(r, "dlv_recovered") {
				t.Errorf("%s: a failed attempt of a delivery delivered later still offers Resend:\n%s", target, r)
			}
		}
		if failed == 0 {
			t.Fatalf("%s: no failed row of dlv_recovered:\n%s", target, page)
		}
		if !resend(page, "dlv_lost") || !resend(page, "dlv_again") {
			t.Errorf("%s: a failure not delivered since lost its Resend", target)
		}
		if strings.Contains(words(strings.Join(regexp.MustCompile(`<tr data-delivery="dlv_(lost|again)">[\s\S]*?</tr>`).FindAllString(page, -1), "")), "Delivered later") {
			t.Errorf("%s: a failure not delivered since says delivered later", target)
		}
	}
}
