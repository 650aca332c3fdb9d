package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// fixedRun is a failure run a success ended, not recovered yet.
var fixedRun = webhook.FailureRun{FailingSince: failingSince, EndedAt: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), Failures: 7}

// An endpoint fixed before its tenant pressed Recover is healthy again,
// but the run its success ended (health.last_failure_run) still has dead
// letters: the healthy card says how many failed between when and when,
// and offers Recover from the run's start.
func TestAHealthyEndpointOffersRecoverForTheRunItsSuccessEnded(t *testing.T) {
	hk := healthyHook()
	hk.Health.LastSuccessAt, hk.Health.LastFailureRun = fixedRun.EndedAt, fixedRun
	api := &fakeAPI{t: t, hook: hk, recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": false, "queued": 7, "dead_lettered": 7}
	}}
	h := testHandler(t, api)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if !strings.Contains(page, `data-health="healthy"`) || !strings.Contains(page, recoverFrom("2026-11-23T09:15:07Z")) {
		t.Fatalf("a healthy endpoint with an ended failure run offers no Recover from its start:\n%s", words(page))
	}
	if want := "7 deliveries failed between 2026-11-23 09:15:07 UTC and 2026-11-28 12:00:00 UTC: Recover sends them again."; !strings.Contains(words(page), want) {
		t.Errorf("the healthy card does not say %q:\n%s", want, words(page))
	}
	w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"2026-11-23T09:15:07Z"}, "csrf": {"token"}})
	if want := `POST /api/v1/organization/webhooks/wh_1/recover {"since":"2026-11-23T09:15:07Z"}`; w.Code != http.StatusSeeOther || api.requests[len(api.requests)-1] != want {
		t.Fatalf("Recover of the ended run: %d, API requests %q, want %q", w.Code, api.requests, want)
	}
	// The recover cleared it: a healthy card with nothing to recover.
	api.hook.Health.LastFailureRun = webhook.FailureRun{}
	page = get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if strings.Contains(page, `action="../webhooks/wh_1/recover"`) || strings.Contains(words(page), "deliveries failed between") {
		t.Errorf("a healthy endpoint with no failure run kept offers Recover:\n%s", words(page))
	}
}

// A new run that starts before the ended one was recovered: Recover
// starts at the ended run's start, so one press sends both runs' dead
// letters, and the failing card says the ended run is still offered.
func TestAFailingEndpointRecoversFromAnEarlierEndedRun(t *testing.T) {
	hk := failingHook()
	hk.Health.FailingSince = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	hk.Health.LastFailureRun = fixedRun
	h := testHandler(t, &fakeAPI{t: t, hook: hk})
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if !strings.Contains(page, `data-health="failing"`) || !strings.Contains(page, recoverFrom("2026-11-23T09:15:07Z")) {
		t.Fatalf("a failing endpoint with an earlier ended run does not recover from that run's start:\n%s", words(page))
	}
	if !strings.Contains(words(page), runEndsSentence) {
		t.Errorf("the failing card does not say %q:\n%s", runEndsSentence, words(page))
	}
}

// Send test event on a failing endpoint with an ended run not recovered
// yet: the test's success joins the two runs, so the Recover it leads to
// starts at the ended run's start, not the running one's.
func TestTestOfFailingEndpointKeepsEndedRunStart(t *testing.T) {
	hk := failingHook()
	hk.Health.FailingSince = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	hk.Health.LastFailureRun = fixedRun
	api := &fakeAPI{t: t, hook: hk}
	h := testHandler(t, api)
	loc := post(h, h.sendTest, "/portal/webhooks/wh_1/test", url.Values{"csrf": {"token"}}).Header().Get("Location")
	// The test succeeded: the run ends and joins the ended one (dynamo).
	end := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	api.hook.Health = webhook.Health{LastSuccessAt: end,
		LastFailureRun: webhook.FailureRun{FailingSince: fixedRun.FailingSince, EndedAt: end, Failures: 14}}
	page := get(h, h.endpoint, "/portal/webhooks/wh_1?"+strings.SplitN(loc, "?", 2)[1]).Body.String()
	if !strings.Contains(page, recoverFrom("2026-11-23T09:15:07Z")) {
		t.Fatalf("redirect %q: after the test, Recover is not prefilled from the ended run's start 2026-11-23T09:15:07Z:\n%s", loc, words(page))
	}
}
