package portal

import (
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// TestListSaysTheRateCountsAttempts: the list's success rate is over the
// latest attempts, retries included (README: "success rate over the last
// 20 attempts"), and says so: "of last 9" read as nine events, and "33%"
// for three events each delivered at its third attempt as two lost.
func TestListSaysTheRateCountsAttempts(t *testing.T) {
	for _, c := range []struct {
		outcomes []string
		want     string
	}{
		{thirdTimeLucky(3), "33% of the last 9 attempts succeeded (retries included)"},
		{[]string{deliverylog.OutcomeRetrying}, "0% of 1 attempt succeeded (retries included)"},
	} {
		api := &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage {
			var p attemptPage
			for _, o := range c.outcomes {
				p.Data = append(p.Data, deliverylog.Attempt{DeliveryID: "dlv_1", Outcome: o, At: time.Now()})
			}
			return p
		}}
		h := testHandler(t, api)
		if text := words(get(h, h.list, "/portal/").Body.String()); !strings.Contains(text, "Success rate") || !strings.Contains(text, c.want) {
			t.Errorf("%d attempts: the list does not say %q:\n%s", len(c.outcomes), c.want, text)
		}
	}
}

// thirdTimeLucky is the log of n events, each delivered at its third
// attempt, newest first.
func thirdTimeLucky(n int) []string {
	var log []string
	for range n {
		log = append(log, deliverylog.OutcomeDelivered, deliverylog.OutcomeRetrying, deliverylog.OutcomeRetrying)
	}
	return log
}
