package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A Create or Rotate form whose one-time value was never issued to the
// organization (made up, or another organization's) was never sent: it is
// answered at once, as a form from before one-time values, and never
// waits for a first submission's record. Before, a made-up value was taken
// for a replay and held the request 3 s reading the table every 100 ms,
// uncharged to the organization.
func TestAnUnknownOneTimeValueIsAnsweredAtOnce(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	tokens := h.o.Sessions.Store.(*memTokens)
	othersOnce, err := h.o.Sessions.IssueForm(context.Background(), "org_b", createPurpose)
	if err != nil {
		t.Fatal(err)
	}
	for _, once := range []string{"MADEUPMADEUPMADEUPMADEUP23", othersOnce} {
		tokens.reads = 0
		form := url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"}, onceField: {once}}
		w := post(h, h.create, "/portal/webhooks/new", form)
		page := w.Body.String()
		if tokens.reads > 1 {
			t.Errorf("create with an unknown one-time value read the token store %d times (it waited for a first submission)", tokens.reads)
		}
		if again := formOnce(page); w.Code != http.StatusBadRequest || !strings.Contains(words(page), staleForm+" Press Create again") ||
			!strings.Contains(page, `value="Orders"`) || again == "" || again == once {
			t.Fatalf("create with an unknown one-time value: %d\n%s", w.Code, words(page))
		}
		tokens.reads = 0
		w = post(h, h.rotate, "/portal/webhooks/wh_1/rotate", url.Values{"csrf": {"token"}, onceField: {once}})
		if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "../../webhooks/wh_1?done=rotate-stale" || tokens.reads > 1 {
			t.Fatalf("rotate with an unknown one-time value: %d to %q after %d token reads", w.Code, loc, tokens.reads)
		}
		if n := countRequests(api, "POST "+webhooksAPI+" ") + countRequests(api, "POST "+webhookAPI("wh_1")+"/rotate-secret"); n != 0 {
			t.Fatalf("forms with an unknown one-time value made %d changes", n)
		}
	}
	// The form shown again creates: the answer was not a dead end.
	page := post(h, h.create, "/portal/webhooks/new", url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"}, onceField: {"MADEUPMADEUPMADEUPMADEUP23"}}).Body.String()
	form := url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"}, onceField: {formOnce(page)}}
	if w := post(h, h.create, "/portal/webhooks/new", form); w.Code != http.StatusCreated {
		t.Fatalf("the form shown again: %d", w.Code)
	}
	// The other organization's value was not used up by the attempt.
	if err := h.o.Sessions.UseForm(context.Background(), "org_b", createPurpose, othersOnce); err != nil {
		t.Fatalf("org_b's value after org_a posted it: %v", err)
	}
}

// A one-time value acts only on the form it was issued for: used on a
// Rotate secret form and then posted to Create, it is not a replay of a
// create (no create record will ever come), so it is answered at once as
// out of date, however often it is posted. Before, it held each request
// 3 s reading the table every 100 ms. A Create form's
// value, or another webhook's rotate value, posted to Rotate secret
// rotates nothing, and the value is not used up.
func TestAOneTimeValueActsOnlyOnTheFormItWasIssuedFor(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	tokens := h.o.Sessions.Store.(*memTokens)
	createForm := func(once string) url.Values {
		return url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"}, onceField: {once}}
	}

	rotateOnce := formOnce(get(h, h.confirmRotate, "/portal/webhooks/wh_1/rotate").Body.String())
	if w := post(h, h.rotate, "/portal/webhooks/wh_1/rotate", url.Values{"csrf": {"token"}, onceField: {rotateOnce}}); w.Code != http.StatusOK {
		t.Fatalf("rotate: %d", w.Code)
	}
	for i := range 2 {
		tokens.reads = 0
		w := post(h, h.create, "/portal/webhooks/new", createForm(rotateOnce))
		page := w.Body.String()
		// Each read is one tick of a wait for a create record.
		if tokens.reads != 0 {
			t.Errorf("create #%d with a used rotate value read the token store %d times (it waited as for a replay)", i+1, tokens.reads)
		}
		if w.Code != http.StatusBadRequest || !strings.Contains(words(page), staleForm+" Press Create again") {
			t.Fatalf("create #%d with a used rotate value: %d to %q\n%s", i+1, w.Code, w.Header().Get("Location"), words(page))
		}
	}
	if n := countRequests(api, "POST "+webhooksAPI+" "); n != 0 {
		t.Fatalf("a rotate value created %d webhooks", n)
	}

	createOnce := formOnce(get(h, h.newForm, "/portal/webhooks/new").Body.String())
	w := post(h, h.rotate, "/portal/webhooks/wh_1/rotate", url.Values{"csrf": {"token"}, onceField: {createOnce}})
	if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "../../webhooks/wh_1?done=rotate-stale" {
		t.Fatalf("rotate with a create value: %d to %q", w.Code, loc)
	}
	if n := countRequests(api, "POST "+webhookAPI("wh_1")+"/rotate-secret"); n != 1 {
		t.Fatalf("a create value rotated: %d rotations in all, want the 1 above", n)
	}
	// Nor does another webhook's rotate value rotate wh_1.
	otherOnce, err := h.o.Sessions.IssueForm(context.Background(), "org_a", rotatePurpose("wh_2"))
	if err != nil {
		t.Fatal(err)
	}
	w = post(h, h.rotate, "/portal/webhooks/wh_1/rotate", url.Values{"csrf": {"token"}, onceField: {otherOnce}})
	if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "../../webhooks/wh_1?done=rotate-stale" {
		t.Fatalf("rotate of wh_1 with wh_2's value: %d to %q", w.Code, loc)
	}
	if n := countRequests(api, "POST "+webhookAPI("wh_1")+"/rotate-secret"); n != 1 {
		t.Fatalf("wh_2's value rotated wh_1: %d rotations in all, want the 1 above", n)
	}
	// Posted to the wrong form, the create value was not used up.
	if w := post(h, h.create, "/portal/webhooks/new", createForm(createOnce)); w.Code != http.StatusCreated {
		t.Fatalf("create with its own value after it was posted to rotate: %d\n%s", w.Code, words(w.Body.String()))
	}
}
