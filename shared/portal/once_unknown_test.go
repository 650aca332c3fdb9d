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
// uncharged to the organization (s29 security review F1).
func TestAnUnknownOneTimeValueIsAnsweredAtOnce(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	tokens := h.o.Sessions.Store.(*memTokens)
	othersOnce, err := h.o.Sessions.IssueForm(context.Background(), "org_b")
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
	if err := h.o.Sessions.UseForm(context.Background(), "org_b", othersOnce); err != nil {
		t.Fatalf("org_b's value after org_a posted it: %v", err)
	}
}
