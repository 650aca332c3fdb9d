package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// recoverFrom is the Recover form's time field holding since.
func recoverFrom(since string) string {
	return `name="since" type="text" value="` + since + `"`
}

// runEndsSentence is the failing card's last sentence: how long Recover
// stays offered once the run ends ("until a Recover from
// its start or for 14 days" had no verb).
const runEndsSentence = "Once a delivery succeeds, the run ends, and this card still offers Recover for it for 14 days, or until a Recover from the run's start completes."

// An enabled endpoint with a failure run offers Recover from the run's
// start, and says the endpoint must work first; the recover it posts
// enables nothing (the API's recover takes an enabled endpoint) and sends
// the run's dead letters.
func TestAFailingEndpointOffersRecoverFromTheRunsStart(t *testing.T) {
	api := &fakeAPI{t: t, hook: failingHook(), recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": false, "queued": 7, "dead_lettered": 7}
	}}
	h := testHandler(t, api)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if !strings.Contains(page, `action="../webhooks/wh_1/recover"`) || !strings.Contains(page, recoverFrom("2026-11-23T09:15:07Z")) {
		t.Fatalf("a failing endpoint's page offers no Recover from the run's start:\n%s", page)
	}
	text := words(page)
	for _, want := range []string{
		"Failed deliveries are not sent again on their own.",
		"Your endpoint must work first: fix it, check it with Send test event, then press Recover to send again the deliveries that failed since the time below.",
		runEndsSentence,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the failing card does not say %q:\n%s", want, text)
		}
	}
	w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"2026-11-23T09:15:07Z"}, "csrf": {"token"}})
	if want := `POST /api/v1/organization/webhooks/wh_1/recover {"since":"2026-11-23T09:15:07Z"}`; w.Code != http.StatusSeeOther || api.requests[len(api.requests)-1] != want {
		t.Fatalf("Recover of a failing endpoint: %d, API requests %q, want %q", w.Code, api.requests, want)
	}
}

// A Recover into an endpoint that still fails fails its deliveries again:
// the run that follows offers Recover again, from its own start, on the
// page the recover leads to and on any later visit.
func TestRecoverIntoABrokenEndpointIsOfferedAgain(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": true, "queued": 12, "dead_lettered": 9, "parked": 3}
	}}
	h := testHandler(t, api)
	w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"2026-11-23T09:15:07Z"}, "csrf": {"token"}})
	loc := w.Header().Get("Location")
	// The recover enabled it and started its health over; all 12 failed again.
	again := time.Date(2026, 11, 28, 11, 0, 1, 0, time.UTC)
	api.hook.Enabled, api.hook.DisabledReason, api.hook.DisabledAt = true, "", time.Time{}
	api.hook.Health = webhook.Health{ConsecutiveFailures: 12, FailingSince: again}
	for _, target := range []string{"/portal/webhooks/wh_1?" + strings.SplitN(loc, "?", 2)[1], "/portal/webhooks/wh_1"} {
		page := get(h, h.endpoint, target).Body.String()
		if !strings.Contains(page, `data-health="failing"`) || !strings.Contains(page, recoverFrom("2026-11-28T11:00:01Z")) {
			t.Errorf("%s: failing again after a recover, but no Recover from the new run's start:\n%s", target, words(page))
		}
	}
}

// Send test event at a failing endpoint leads to a page that keeps the
// run's start and its Recover, since a test that succeeds ends the run:
// "fix it, Send test event, then Recover" works in that order.
func TestATestOfAFailingEndpointKeepsItsRecover(t *testing.T) {
	api := &fakeAPI{t: t, hook: failingHook()}
	h := testHandler(t, api)
	w := post(h, h.sendTest, "/portal/webhooks/wh_1/test", url.Values{"csrf": {"token"}})
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.Contains(loc, "since=2026-11-23T09%3A15%3A07Z") {
		t.Fatalf("the test's redirect %d %q keeps no run start", w.Code, loc)
	}
	// The test succeeded: the run is over.
	api.hook.Health = webhook.Health{LastSuccessAt: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	page := get(h, h.endpoint, "/portal/webhooks/wh_1?"+strings.SplitN(loc, "?", 2)[1]).Body.String()
	if !strings.Contains(page, recoverFrom("2026-11-23T09:15:07Z")) {
		t.Fatalf("after a test that ended the run, the page offers no Recover from the run's start:\n%s", words(page))
	}
	if want := "If it is delivered, your endpoint works again: press Recover below to send again the deliveries that failed."; !strings.Contains(words(page), want) {
		t.Errorf("the test's notice does not say %q:\n%s", want, words(page))
	}
	// A test of a healthy endpoint leads to no Recover.
	w = post(h, h.sendTest, "/portal/webhooks/wh_1/test", url.Values{"csrf": {"token"}})
	if loc := w.Header().Get("Location"); loc != "../../webhooks/wh_1?done=test" {
		t.Errorf("a healthy endpoint's test redirects to %q", loc)
	}
}

// A tenant who disabled a failing endpoint keeps its run (only an enable
// clears it): the card names it and offers Recover from its start, which
// enables the endpoint.
func TestATenantDisabledFailingEndpointOffersRecover(t *testing.T) {
	hk := failingHook()
	hk.Enabled = false
	h := testHandler(t, &fakeAPI{t: t, hook: hk})
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if !strings.Contains(page, `data-health="disabled"`) || !strings.Contains(page, recoverFrom("2026-11-23T09:15:07Z")) {
		t.Fatalf("a tenant-disabled endpoint with a failure run offers no Recover from its start:\n%s", words(page))
	}
	if want := "When it was disabled, it had 7 failed deliveries in a row since 2026-11-23 09:15:07 UTC. Once your endpoint works again, Recover enables it and sends them again; Enable does not."; !strings.Contains(words(page), want) {
		t.Errorf("the card does not say %q:\n%s", want, words(page))
	}
}
