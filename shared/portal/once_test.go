package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var onceValue = regexp.MustCompile(`name="once" value="([^"]*)"`)

// formOnce is the one-time value of the form a page shows ("" if none).
func formOnce(page string) string {
	if m := onceValue.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

func countRequests(api *fakeAPI, prefix string) int {
	n := 0
	for _, r := range api.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// A Rotate secret confirmation sent twice (a double click, a retried
// POST) rotates once: a second rotation would drop the secret the
// endpoint uses while the page promises it a grace period. The second
// answer is the endpoint page saying so, and shows no secret.
func TestRotateFormSentTwiceRotatesOnce(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	form := url.Values{"csrf": {"token"}, onceField: {formOnce(get(h, h.confirmRotate, "/portal/webhooks/wh_1/rotate").Body.String())}}

	first := post(h, h.rotate, "/portal/webhooks/wh_1/rotate", form)
	if first.Code != http.StatusOK || !strings.Contains(first.Body.String(), "whsec_rotated") {
		t.Fatalf("first rotate: %d\n%s", first.Code, first.Body)
	}
	second := post(h, h.rotate, "/portal/webhooks/wh_1/rotate", form)
	if n := countRequests(api, "POST "+webhookAPI("wh_1")+"/rotate-secret"); n != 1 {
		t.Fatalf("the same confirmation sent twice rotated %d times", n)
	}
	if loc := second.Header().Get("Location"); second.Code != http.StatusSeeOther || loc != "../../webhooks/wh_1?done=rotated-twice" || strings.Contains(second.Body.String(), "whsec_") {
		t.Fatalf("second rotate: %d to %q\n%s", second.Code, loc, second.Body)
	}
	if page := renderNotice(t, h, "?done=rotated-twice"); !strings.Contains(page, "the secret was rotated once, not again") {
		t.Errorf("the endpoint page does not say the secret was already rotated:\n%s", page)
	}
	// A confirmation shown again rotates again: each one acts once.
	again := url.Values{"csrf": {"token"}, onceField: {formOnce(get(h, h.confirmRotate, "/portal/webhooks/wh_1/rotate").Body.String())}}
	if w := post(h, h.rotate, "/portal/webhooks/wh_1/rotate", again); w.Code != http.StatusOK || countRequests(api, "POST "+webhookAPI("wh_1")+"/rotate-secret") != 2 {
		t.Fatalf("a new confirmation: %d", w.Code)
	}
	// A form without the value, or with a made-up one, rotates nothing.
	for _, once := range []string{"", "MADEUP"} {
		post(h, h.rotate, "/portal/webhooks/wh_1/rotate", url.Values{"csrf": {"token"}, onceField: {once}})
	}
	if n := countRequests(api, "POST "+webhookAPI("wh_1")+"/rotate-secret"); n != 2 {
		t.Fatalf("forms without a valid one-time value rotated: %d rotations", n)
	}
}

// A form without a one-time value was shown before they existed (a tab
// open across the deploy): it was never sent, so the answer must not
// claim it was sent twice. Rotate says nothing was rotated; Create shows
// the form again, filled in and ready to send.
func TestAFormFromBeforeOneTimeValuesIsNotARepeat(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	w := post(h, h.rotate, "/portal/webhooks/wh_1/rotate", url.Values{"csrf": {"token"}})
	if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "../../webhooks/wh_1?done=rotate-stale" {
		t.Fatalf("rotate without a one-time value: %d to %q", w.Code, loc)
	}
	if page := renderNotice(t, h, "?done=rotate-stale"); !strings.Contains(page, "The secret was not rotated") || strings.Contains(page, "sent twice") {
		t.Errorf("the endpoint page after a stale rotate form:\n%s", page)
	}
	w = post(h, h.create, "/portal/webhooks/new", url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"}})
	page := w.Body.String()
	if w.Code != http.StatusBadRequest || !strings.Contains(words(page), "Press Create again") || !strings.Contains(page, `value="Orders"`) || formOnce(page) == "" {
		t.Fatalf("create without a one-time value: %d\n%s", w.Code, words(page))
	}
	if n := countRequests(api, "POST "+webhooksAPI+" ") + countRequests(api, "POST "+webhookAPI("wh_1")+"/rotate-secret"); n != 0 {
		t.Fatalf("forms without a one-time value made %d changes", n)
	}
	// The form shown again creates.
	form := url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"}, onceField: {formOnce(page)}}
	if w := post(h, h.create, "/portal/webhooks/new", form); w.Code != http.StatusCreated {
		t.Fatalf("the form shown again: %d", w.Code)
	}
}

// A Create form sent twice creates one webhook; the second answer is that
// webhook's page, without its secret.
func TestCreateFormSentTwiceCreatesOnce(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	form := url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"},
		onceField: {formOnce(get(h, h.newForm, "/portal/webhooks/new").Body.String())}}

	if first := post(h, h.create, "/portal/webhooks/new", form); first.Code != http.StatusCreated || !strings.Contains(first.Body.String(), "whsec_created") {
		t.Fatalf("first create: %d\n%s", first.Code, first.Body)
	}
	second := post(h, h.create, "/portal/webhooks/new", form)
	if n := countRequests(api, "POST "+webhooksAPI+" "); n != 1 {
		t.Fatalf("the same form sent twice created %d webhooks", n)
	}
	if loc := second.Header().Get("Location"); second.Code != http.StatusSeeOther || loc != "../webhooks/wh_1?done=created-twice" || strings.Contains(second.Body.String(), "whsec_") {
		t.Fatalf("second create: %d to %q\n%s", second.Code, loc, second.Body)
	}
}

// renderNotice is the endpoint page of wh_1 with a notice's query.
func renderNotice(t *testing.T, h *Handler, query string) string {
	t.Helper()
	return words(get(h, h.endpoint, "/portal/webhooks/wh_1"+query).Body.String())
}
