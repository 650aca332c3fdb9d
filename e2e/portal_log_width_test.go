package e2e

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/shared/devrun"
)

// logWidths sweep the attempt log from a small phone to a wide laptop,
// with both sides of each breakpoint: the phone layout ends at 720 px, the
// log is a table from 1024 px (at 721-900 px a table scrolled inside its
// card), and its Event column is wider from 1200 px.
var logWidths = []int64{phoneWidth, 600, 720, 721, 768, 820, 900, 1023, 1024, 1100, 1199, 1200, desktopWidth, 1440}

// TestPortalAttemptLogFitsEveryWidth fills an endpoint's page with the
// widest content its log really gets: a disabled-for-failing badge, a
// delivery dead-lettered at once (400), one dead-lettered after its
// retries, and a failed test event, the last two refused by a closed
// port (connection_refused). At every width nothing sticks out of its box
// or scrolls inside it, and an error class breaks only after an
// underscore, never inside a word; the list of endpoints fits too
// (README "Tenant portal": the pages work down to 375 px).
func TestPortalAttemptLogFitsEveryWidth(t *testing.T) {
	t.Parallel()
	env := testEnv()
	env["HOOKRELAY_DISABLE_AFTER"] = "1ms"
	env["HOOKRELAY_DISABLE_MIN_FAILURES"] = "2"
	s := startTestStack(t, devrun.Options{Env: env})
	tn := newTenant(t, s, "portallogwidth")

	rc := newReceiver(t, func(int, *http.Request, []byte) answer { return status(http.StatusBadRequest) })
	hook := tn.createWebhook(rc.url("/orders"), "emailClick")
	tn.publish("emailClick", clickData)
	tn.awaitHealth(hook.ID, "the 400 dead-lettered", func(w webhookHealth) bool { return w.Health.ConsecutiveFailures == 1 })
	// From now on the endpoint's port refuses connections.
	rc.srv.Close()
	tn.publish("emailClick", clickData)
	tn.awaitHealth(hook.ID, "disabled for failing", func(w webhookHealth) bool { return !w.Enabled && w.DisabledReason == "failing" })
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+hook.ID+"/test", nil, http.StatusAccepted, nil)

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/"+hook.ID, `[data-health="disabled-failing"]`)
	b.reloadUntil(patience, "the refused test event in the attempt log",
		`[...document.querySelectorAll('tr[data-delivery]')].some(r => r.querySelector('.badge.failed') && r.textContent.includes('connection_refused'))`)
	for _, width := range logWidths {
		name := "log-width-" + strconv.FormatInt(width, 10)
		b.fitsAt(width, name)
		b.codesBreakOnlyAtUnderscores(name, `td[data-label="Error"] code`)
		b.run(chromedp.ScrollIntoView("#log-title"))
		b.viewShot(name + "-log")
	}
	// Where the log is a table, "Failed, gave up" keeps its line at its
	// column's least width too, which the table falls to when the other
	// columns take the room (long response excerpts): 9rem less the
	// padding was narrower than the badge.
	b.run(chromedp.EmulateViewport(1024, desktopHeight))
	b.truth(`(() => { document.querySelector('table.log').style.width = '0'; return true })()`)
	b.wrapsOnlyAfter("log-least-width", ".log .badge.dead_lettered", "")
	b.screenshot("log-least-width", "")
	// The list, a table of cards at the same widths, with the badge.
	b.open(s.API+"/portal/", "table.cards")
	for _, width := range logWidths {
		b.fitsAt(width, "list-width-"+strconv.FormatInt(width, 10))
	}
}

// fitsAt shows the page at width and checks that it fits: no sideways
// scroll of the page or of anything in it, nothing out of its box.
func (b *browser) fitsAt(width int64, name string) {
	b.t.Helper()
	b.run(chromedp.EmulateViewport(width, desktopHeight))
	b.noHorizontalScroll(name)
	b.fitsItsBoxes(name)
	b.nothingScrollsSideways(name)
	b.screenshot(name, "")
}
