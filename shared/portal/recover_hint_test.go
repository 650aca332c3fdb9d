package portal

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The Recover field's hint says what the field holds: whichever of the
// failure run's start, the oldest held event and the first dead letter
// not sent yet is earliest, the time the endpoint was disabled when there
// is none, and nothing of a time the tenant typed. It said "the oldest
// held event" of a field holding a run's earlier start, and a tenant who
// typed the held time instead would leave out the run's failed
// deliveries before it. Held events count on an endpoint
// that holds them now too.
func TestRecoverHintSaysWhatTheFieldHolds(t *testing.T) {
	run := failingSince                // 2026-11-23 09:15:07
	later := run.Add(22 * time.Second) // parked or owed after the run began
	earlier := run.Add(-time.Hour)
	tenantDisabled := func(failing, parked, owed time.Time) hook {
		hk := failingHook()
		hk.Enabled = false
		hk.Health.FailingSince, hk.ParkedFrom, hk.DeadLettersFrom = failing, parked, owed
		return hk
	}
	// Disabled for failing, Enabled, failing again and disabled again: the
	// events held since the first disable remain, older than this run
	// (the form started at the run and left them out).
	disabledAgain := disabledFailingHook()
	disabledAgain.ParkedFrom = earlier
	heldInRun := disabledFailingHook()
	heldInRun.ParkedFrom = later
	noRun := disabledFailingHook()
	noRun.Health.FailingSince = time.Time{}
	for _, c := range []struct {
		name  string
		hook  hook
		since time.Time
		hint  string
	}{
		{"held after the run began", tenantDisabled(run, later, time.Time{}), run, "It starts when the endpoint began failing."},
		{"held before the run began", tenantDisabled(run, earlier, time.Time{}), earlier, "It starts at the oldest held event."},
		{"held, no run", tenantDisabled(time.Time{}, later, time.Time{}), later, "It starts at the oldest held event."},
		{"owed after the run began", tenantDisabled(run, time.Time{}, later), run, "It starts when the endpoint began failing."},
		{"owed before the run began", tenantDisabled(run, time.Time{}, earlier), earlier, "It starts where the failed deliveries not sent yet begin."},
		{"disabled for failing again, held since the first disable", disabledAgain, earlier, "It starts at the oldest held event."},
		{"disabled for failing, held since the run", heldInRun, run, "It starts when the endpoint began failing."},
		{"failing", failingHook(), run, "It starts when the endpoint began failing."},
		{"disabled for failing, no run start known", noRun, disabledAt, "It starts when the endpoint was disabled."},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := recoverForm(httptest.NewRequest("GET", "/portal/webhooks/wh_1", nil), c.hook)
			if want := c.since.UTC().Format(time.RFC3339); d.Since != want || d.Hint != c.hint {
				t.Errorf("recover form from %q, hint %q; want %q, %q", d.Since, d.Hint, want, c.hint)
			}
		})
	}

	// On the page, the case the review found: a stale tab's disable of an
	// endpoint disabled for failing left held deliveries after the run's start.
	h := testHandler(t, &fakeAPI{t: t, hook: tenantDisabled(run, later, time.Time{})})
	text := words(get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String())
	if !strings.Contains(text, "(2026-11-28 10:00:00 UTC). It starts when the endpoint began failing.") || strings.Contains(text, "oldest held event.") {
		t.Errorf("the hint of a field holding the run's start:\n%s", text)
	}

	// A time the API refused is the tenant's: no hint claims what it is.
	r := httptest.NewRequest("POST", "/portal/webhooks/wh_1/recover", strings.NewReader(url.Values{"since": {"yesterday"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_ = r.ParseForm()
	if d := recoverForm(r, failingHook()); d.Since != "yesterday" || d.Hint != "" {
		t.Errorf("a refused time: from %q, hint %q; want the typed time and no hint", d.Since, d.Hint)
	}
}
