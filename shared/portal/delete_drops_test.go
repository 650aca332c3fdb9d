package portal

import (
	"strings"
	"testing"
	"time"
)

// Delete's question says what a Recover could still send and a delete
// drops with the endpoint (its held events, its failure run's failed
// deliveries, dead letters a recover still owes it), and points to
// editing the URL instead; an endpoint with none of them is asked as
// before.
func TestDeleteSaysItDropsWhatRecoverWouldSend(t *testing.T) {
	parked := disabledFailingHook()
	parked.ParkedFrom = disabledAt
	owed := healthyHook()
	owed.DeadLettersFrom = time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		hook  hook
		drops string // "": nothing to drop
	}{
		{"disabled for failing, events held", parked, "Deleting it also drops the events held for it since 2026-11-28 10:30:00 UTC and its 20 failed deliveries in a row since 2026-11-23 09:15:07 UTC, which Recover can still send: they cannot be recovered once it is deleted."},
		{"failing", failingHook(), "Deleting it also drops its 7 failed deliveries in a row since 2026-11-23 09:15:07 UTC, which Recover can still send"},
		{"owed dead letters", owed, "Deleting it also drops its failed deliveries since 2026-11-29 07:00:00 UTC that a recover has not sent again yet, which Recover can still send"},
		{"healthy", healthyHook(), ""},
	} {
		h := testHandler(t, &fakeAPI{t: t, hook: c.hook})
		page := get(h, h.confirmDelete, "/portal/webhooks/wh_1/delete").Body.String()
		text := words(page)
		if c.drops == "" {
			if strings.Contains(text, "Deleting it also drops") || strings.Contains(page, `href="../../webhooks/wh_1#url"`) {
				t.Errorf("%s: the question warns of what there is none of:\n%s", c.name, text)
			}
			continue
		}
		if !strings.Contains(text, c.drops) {
			t.Errorf("%s: Delete's question does not say %q:\n%s", c.name, c.drops, text)
		}
		if !strings.Contains(text, "To send them to a new URL, edit its URL instead, then press Recover.") || !strings.Contains(page, `<a href="../../webhooks/wh_1#url">edit its URL</a>`) {
			t.Errorf("%s: Delete's question does not point to editing the URL:\n%s", c.name, page)
		}
	}
}

// A healthy endpoint whose card offers Recover for a run a success ended:
// Delete drops those dead letters too, and says so.
func TestDeleteWarnsOfEndedRun(t *testing.T) {
	hk := healthyHook()
	hk.Health.LastSuccessAt, hk.Health.LastFailureRun = fixedRun.EndedAt, fixedRun
	h := testHandler(t, &fakeAPI{t: t, hook: hk})
	page := words(get(h, h.confirmDelete, "/portal/webhooks/wh_1/delete").Body.String())
	if !strings.Contains(page, "Deleting it also drops the 7 deliveries that failed between") {
		t.Fatalf("Delete of an endpoint whose card offers Recover for 7 failed deliveries does not warn:\n%s", page)
	}
}
