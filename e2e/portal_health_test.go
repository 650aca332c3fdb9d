package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// TestPortalRecoversAnEndpointDisabledForFailing drives a real endpoint
// through the portal: failing after one failed delivery, disabled by
// hookrelay after the second (auto-disable after 2 failures and 1 ms), an
// event parked meanwhile; the tenant sees each state, a refused time, and
// Recover queues the two dead letters and the parked delivery, which
// arrive. Another organization's session cannot recover it. A test event
// sent meanwhile fails, and its long outcome keeps the attempt log inside
// its card at laptop and phone widths.
func TestPortalRecoversAnEndpointDisabledForFailing(t *testing.T) {
	t.Parallel()
	env := testEnv()
	env["HOOKRELAY_DISABLE_AFTER"] = "1ms"
	env["HOOKRELAY_DISABLE_MIN_FAILURES"] = "2"
	s := startTestStack(t, devrun.Options{Env: env})
	tn := newTenant(t, s, "portalhealth")

	var up atomic.Bool // the endpoint answers 200 when up, 400 (dead-lettered at once) when down
	rc := newReceiver(t, func(int, *http.Request, []byte) answer {
		if up.Load() {
			return status(http.StatusOK)
		}
		return status(http.StatusBadRequest)
	})
	hook := tn.createWebhook(rc.url("/orders"), "emailClick")
	page := s.API + "/portal/webhooks/" + hook.ID

	// One failed delivery: failing, still enabled.
	failed := []string{tn.publish("emailClick", clickData)}
	tn.awaitHealth(hook.ID, "one failed delivery", func(w webhookHealth) bool { return w.Health.ConsecutiveFailures == 1 })
	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	if got := b.text("table.cards td[data-label=State]"); got != "Enabled Failing" {
		t.Fatalf("the list's state of a failing endpoint: %q", got)
	}
	b.open(page, `[data-health="failing"]`)
	if got := b.text(`[data-health="failing"]`); !strings.Contains(got, "1 failed delivery in a row since") || !strings.Contains(got, "Your endpoint must work first") {
		t.Fatalf("the failing endpoint's card: %q", got)
	}
	// Its dead letter is recoverable while it is still enabled.
	if !b.truth(`!!document.querySelector('[data-health="failing"] form[action$="/recover"] button')`) {
		t.Fatal("the failing endpoint's card offers no Recover")
	}

	// The second disables it; the next event is parked.
	failed = append(failed, tn.publish("emailClick", clickData))
	tn.awaitHealth(hook.ID, "disabled for failing", func(w webhookHealth) bool { return !w.Enabled && w.DisabledReason == "failing" })
	// A test event now fails once, not retried: its outcome, the log's
	// longest badge, must not push the log out of its card.
	testPosts := rc.count()
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+hook.ID+"/test", nil, http.StatusAccepted, nil)
	rc.waitHits(t, testPosts+1, patience)
	postsBefore := rc.count()
	parked := ids.Delivery(tn.publish("emailClick", clickData), hook.ID)
	testenv.WaitFor(t, patience, "parked "+parked, func() bool {
		return strings.Contains(s.logs.linesWith(100, parked), "outcome=parked")
	})

	b.open(s.API+"/portal/", "table.cards")
	if got := b.text("table.cards td[data-label=State]"); got != "Disabled (failing)" {
		t.Fatalf("the list's state of an endpoint disabled for failing: %q", got)
	}
	b.open(page, `[data-health="disabled-failing"]`)
	card := b.text(`[data-health="disabled-failing"]`)
	for _, want := range []string{"every delivery failed", "after 2 failed deliveries in a row since", "UTC"} {
		if !strings.Contains(card, want) {
			t.Fatalf("the disabled endpoint's card %q lacks %q", card, want)
		}
	}
	failedTest := `!!document.querySelector('tr[data-delivery] .badge.failed')`
	b.reloadUntil(patience, "the failed test event in the attempt log", failedTest)
	for _, width := range []int64{1024, 1440, desktopWidth} { // the card is at its widest from 1100 px
		b.run(chromedp.EmulateViewport(width, desktopHeight))
		b.fitsItsBoxes("endpoint-" + strconv.FormatInt(width, 10))
	}
	b.screenshot("health-disabled", "portal-health.png")
	phone := newBrowser(t, phoneWidth, phoneHeight)
	phone.signIn(tn.portalLink())
	phone.open(page, `form[action$="/recover"] button`)
	phone.reloadUntil(patience, "the failed test event in the attempt log", failedTest)
	phone.noHorizontalScroll("endpoint disabled for failing")
	phone.fitsItsBoxes("endpoint-375")
	phone.everyInputLabelled("endpoint disabled for failing")
	phone.viewShot("phone-health-disabled-top")

	// Another organization's session gets Not found, and changes nothing.
	other := newTenant(t, s, "portalhealth-other")
	pc, _ := signInHTTP(t, other)
	_, list := pc.do(http.MethodGet, s.API+"/portal/", nil, nil)
	m := csrfField.FindStringSubmatch(list)
	if m == nil {
		t.Fatal("no form token on the other organization's list")
	}
	res, _ := pc.do(http.MethodPost, page+"/recover", url.Values{"csrf": {m[1]}, "since": {"2026-01-01T00:00:00Z"}},
		map[string]string{"Origin": s.API, "Sec-Fetch-Site": "same-origin"})
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("another organization's recover: %d, want 404", res.StatusCode)
	}

	// A time the API refuses is asked for again next to the field, in
	// words a tenant knows; the focus is on the alert that links the
	// field; nothing changes.
	since := b.value("#since")
	b.run(chromedp.SetValue(chromedp.CSS("#since"), "yesterday"))
	b.click(`form[action$="/recover"] button`, "#since-error")
	if got := b.text("#since-error"); got != "Enter a UTC time like 2026-11-28T10:00:00Z." {
		t.Fatalf("the refused time's error: %q", got)
	}
	b.focusGoesToTheErrors("since")
	if w := tn.webhookHealth(hook.ID); w.Enabled {
		t.Fatal("a refused recover enabled the endpoint")
	}

	// Recover from the run's start: two dead letters and the parked one.
	up.Store(true)
	b.run(chromedp.SetValue(chromedp.CSS("#since"), since))
	b.click(`form[action$="/recover"] button`, ".notice")
	if got := b.text(".notice"); !strings.Contains(got, "3 missed deliveries were queued again") {
		t.Fatalf("after Recover the page says %q", got)
	}
	if b.truth(`!!document.querySelector('form[action$="/recover"]')`) {
		t.Error("the Recover form is still shown though nothing is left parked")
	}
	b.waitVisible(`[data-health="healthy"]`)
	b.screenshot("health-recovered", "")
	b.noticeShownOnce()

	want := map[string]bool{parked: true}
	for _, id := range failed {
		want[ids.Delivery(id, hook.ID)] = true
	}
	for _, h := range rc.waitHits(t, postsBefore+len(want), patience)[postsBefore:] {
		if !want[h.delivery()] {
			t.Errorf("delivery %s: not one of the recovered ones, or twice", h.delivery())
		}
		delete(want, h.delivery())
	}
	if len(want) != 0 {
		t.Fatalf("never delivered after Recover: %v", want)
	}
	b.reloadUntil(patience, "the recovered deliveries in the attempt log",
		`document.querySelectorAll('tr[data-delivery] .badge.delivered').length === 3`)
	// The dead letters' failed attempts now say they were delivered later
	// and offer no Resend, which would deliver them twice; the delivered
	// attempts keep theirs.
	for _, id := range failed {
		row := `tr[data-delivery="` + ids.Delivery(id, hook.ID) + `"]`
		if !b.truth(`(r => document.querySelectorAll(r + ' .badge.dead_lettered').length === 1 &&
			document.querySelectorAll(r + ' .delivered-later').length === 1 &&
			document.querySelectorAll(r + ' form[action$="/resend"]').length === document.querySelectorAll(r + ' .badge.delivered').length)(` + strconv.Quote(row) + `)`) {
			t.Errorf("the recovered delivery's rows: %s", b.html("table.log"))
		}
	}
}
