package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const limitSentence = "You already have the maximum of 1 endpoints. Delete one you no longer use to create another."

// At the endpoint limit the list says so instead of offering Create, the
// create form says so before it is filled, and a create refused for the
// limit says what to do, in the portal's words (s28 portal review 2).
func TestAtTheLimitThePortalSaysWhatToDo(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook(), full: true}
	h := testHandler(t, api)
	h.o.Config.MaxWebhooks = 1

	page := get(h, h.list, "/portal/").Body.String()
	if strings.Contains(page, `href="./webhooks/new"`) || !strings.Contains(words(page), limitSentence) {
		t.Errorf("the list at the limit:\n%s", words(page))
	}
	w := get(h, h.newForm, "/portal/webhooks/new")
	if page := w.Body.String(); strings.Contains(page, `action="../webhooks/new"`) || !strings.Contains(words(page), limitSentence) {
		t.Errorf("the create form at the limit (%d):\n%s", w.Code, words(page))
	}
	// The list a moment before showed room (another tab deleted since, or
	// the count behind the limit is off): the API refuses all the same.
	once, err := h.o.Sessions.IssueForm(context.Background(), "org_a")
	if err != nil {
		t.Fatal(err)
	}
	w = post(h, h.create, "/portal/webhooks/new", url.Values{"csrf": {"token"}, "name": {"Orders"}, "url": {"https://example.com/h"}, "all_events": {"true"}, onceField: {once}})
	if w.Code != http.StatusConflict || !strings.Contains(words(w.Body.String()), limitSentence) {
		t.Errorf("a create refused for the limit (%d):\n%s", w.Code, words(w.Body.String()))
	}

	// Below the limit, Create is offered.
	h.o.Config.MaxWebhooks = 2
	if page := get(h, h.list, "/portal/").Body.String(); !strings.Contains(page, `href="./webhooks/new"`) || strings.Contains(words(page), "maximum") {
		t.Errorf("the list below the limit:\n%s", words(page))
	}
	if page := get(h, h.newForm, "/portal/webhooks/new").Body.String(); !strings.Contains(page, `action="../webhooks/new"`) {
		t.Errorf("the create form below the limit:\n%s", words(page))
	}
}
