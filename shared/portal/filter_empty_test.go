package portal

import (
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// TestEmptyFilterSaysWhatItSearched: the outcome filter reads one page of
// the latest attempts; when it finds none it says how many it searched
// and links to the older ones, instead of "on this page", which hid that
// failures may be further back. When it has read
// the whole log it says there are none.
func TestEmptyFilterSaysWhatItSearched(t *testing.T) {
	delivered := func(n int, next string) attemptPage {
		p := attemptPage{NextCursor: next}
		for i := range n {
			p.Data = append(p.Data, deliverylog.Attempt{DeliveryID: "dlv_" + itoa(i), Outcome: deliverylog.OutcomeDelivered, At: time.Now()})
		}
		return p
	}
	for _, c := range []struct {
		name, target string
		page         attemptPage
		say          string
		older        bool
	}{
		{"latest, more behind", "/portal/webhooks/wh_1?outcome=dead_lettered", delivered(100, "c2"),
			"No “Failed, gave up” attempts among the latest 100 attempts. Older attempts →", true},
		{"the whole log", "/portal/webhooks/wh_1?outcome=dead_lettered", delivered(7, ""),
			"No “Failed, gave up” attempts in the attempt log.", false},
		{"an older page", "/portal/webhooks/wh_1?outcome=skipped&cursor=c2", delivered(100, "c3"),
			"No “Skipped” attempts among these 100 older attempts. Older attempts →", true},
		{"the oldest page", "/portal/webhooks/wh_1?outcome=skipped&cursor=c3", delivered(40, ""),
			"No “Skipped” attempts among these 40 older attempts, the oldest.", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := testHandler(t, &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage { return c.page }})
			page := get(h, h.endpoint, c.target).Body.String()
			if text := words(page); !strings.Contains(text, c.say) || strings.Contains(text, "on this page") {
				t.Errorf("the empty filter does not say %q:\n%s", c.say, text)
			}
			older := `<a href="../webhooks/wh_1?cursor=` + c.page.NextCursor + `&amp;outcome=`
			if got := strings.Count(page, older); c.older && got != 1 {
				t.Errorf("%d links to the older attempts, want one:\n%s", got, page)
			}
		})
	}
}

// TestAPageWithNoAttemptsButACursorLeadsOn: the API reads a bounded part
// of the log a request, leaving out expired entries, so a page can come
// back empty with a cursor. Its page says nothing was found in that part
// and links to the older attempts; it does not say the endpoint has had
// none yet, nor count "the latest 0 attempts".
func TestAPageWithNoAttemptsButACursorLeadsOn(t *testing.T) {
	for _, c := range []struct {
		name, target, next string
		say                string
		older              bool
	}{
		{"newest page", "/portal/webhooks/wh_1", "c2",
			"No delivery attempts in this part of the log. Older attempts →", true},
		{"an older page", "/portal/webhooks/wh_1?cursor=c2", "c3",
			"No delivery attempts in this part of the log. ← Newest Older attempts →", true},
		{"the oldest page", "/portal/webhooks/wh_1?cursor=c3", "",
			"No delivery attempts in this part of the log, the oldest. ← Newest", false},
		{"filtered, newest page", "/portal/webhooks/wh_1?outcome=dead_lettered", "c2",
			"No “Failed, gave up” attempts in this part of the log. Older attempts →", true},
		{"filtered, the oldest page", "/portal/webhooks/wh_1?outcome=skipped&cursor=c3", "",
			"No “Skipped” attempts in this part of the log, the oldest.", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := testHandler(t, &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage { return attemptPage{NextCursor: c.next} }})
			page := get(h, h.endpoint, c.target).Body.String()
			if text := words(page); !strings.Contains(text, c.say) || strings.Contains(text, "yet") || strings.Contains(text, " 0 ") {
				t.Errorf("the empty page does not say %q:\n%s", c.say, text)
			}
			got := strings.Count(page, `<a href="../webhooks/wh_1?cursor=`)
			if want := map[bool]int{true: 1, false: 0}[c.older]; got != want {
				t.Errorf("%d links to older attempts, want %d:\n%s", got, want, page)
			}
		})
	}
}
