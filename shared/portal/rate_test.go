package portal

import (
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// TestListSaysTheRateCountsAttempts: the list's success rate is over the
// latest attempts, retries included (README: "success rate over the last
// 20 attempts"), and says so: "of last 9" read as nine events.
func TestListSaysTheRateCountsAttempts(t *testing.T) {
	for n, want := range map[int]string{9: "0% of last 9 attempts", 1: "0% of last 1 attempt"} {
		api := &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage {
			var p attemptPage
			for range n {
				p.Data = append(p.Data, deliverylog.Attempt{DeliveryID: "dlv_1", Outcome: deliverylog.OutcomeRetrying, At: time.Now()})
			}
			return p
		}}
		h := testHandler(t, api)
		if text := words(get(h, h.list, "/portal/").Body.String()); !strings.Contains(text, want) {
			t.Errorf("%d failed attempts: the list does not say %q:\n%s", n, want, text)
		}
	}
}
