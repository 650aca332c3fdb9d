package portal

import (
	"net/http"
	"strings"
	"testing"
)

// TestFilteredLogFocusesTheOutcomeSelect: a page the outcome filter
// answered (?outcome=, "All outcomes" too) gives the focus back to the
// select, so a keyboard user goes on from where they filtered instead of
// from the top of the page; the select applies
// nothing by itself (no data-autosubmit), and an unfiltered page takes no
// focus.
func TestFilteredLogFocusesTheOutcomeSelect(t *testing.T) {
	h := testHandler(t, &fakeAPI{t: t, hook: healthyHook()})
	for target, focus := range map[string]bool{
		"/portal/webhooks/wh_1":                           false,
		"/portal/webhooks/wh_1?outcome=dead_lettered":     true,
		"/portal/webhooks/wh_1?outcome=":                  true,
		"/portal/webhooks/wh_1?cursor=c1&outcome=skipped": true,
	} {
		page := get(h, h.endpoint, target).Body.String()
		i := strings.Index(page, `<select id="outcome"`)
		if i < 0 {
			t.Fatalf("%s: no Outcome select:\n%s", target, page)
		}
		tag := page[i : i+strings.Index(page[i:], ">")]
		if got := strings.Contains(tag, "autofocus"); got != focus {
			t.Errorf("%s: the select has autofocus %v, want %v: %s", target, got, focus, tag)
		}
		if strings.Contains(tag, "data-autosubmit") {
			t.Errorf("%s: the select still submits on change: %s", target, tag)
		}
	}
}

// A hand-typed outcome no option of the select has is refused in words
// (400), not shown as "No “gone” attempts" under "All outcomes".
func TestAnUnknownOutcomeIsRefused(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	w := get(h, h.endpoint, "/portal/webhooks/wh_1?outcome=gone")
	if page := words(w.Body.String()); w.Code != http.StatusBadRequest || !strings.Contains(page, "Unknown outcome The attempt log has no outcome “gone”") {
		t.Errorf("?outcome=gone: %d %q", w.Code, page)
	}
	if w := get(h, h.endpoint, "/portal/webhooks/wh_1?outcome=dead_lettered"); w.Code != http.StatusOK {
		t.Errorf("?outcome=dead_lettered: %d", w.Code)
	}
}
