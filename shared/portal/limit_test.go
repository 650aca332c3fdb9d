package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

const limitSentence = "You already have the maximum of 1 endpoints. Delete one you no longer use to create another."

// At the endpoint limit the list says so instead of offering Create, the
// create form says so before it is filled, and a create refused for the
// limit says what to do, in the portal's words.
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
	once, err := h.o.Sessions.IssueForm(context.Background(), "org_a", createPurpose)
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

// pagedHooks answers the webhook list with n webhooks, honouring ?limit
// (at most 100, as the API) and ?cursor (the offset), as the API pages.
type pagedHooks struct {
	*fakeAPI
	n int
}

func (p pagedHooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == webhooksAPI:
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		from, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		limit = min(max(limit, 1), 100)
		var page list[hook]
		for i := from; i < min(from+limit, p.n); i++ {
			hk := p.hook
			hk.ID = "wh_" + strconv.Itoa(i)
			page.Data = append(page.Data, hk)
		}
		if from+limit < p.n {
			page.NextCursor = strconv.Itoa(from + limit)
		}
		writeJSON(w, page)
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/deliveries"):
		writeJSON(w, attemptPage{})
	default:
		p.fakeAPI.ServeHTTP(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// The limit is told whatever the cap, not only when the list's first page
// can hold it: at the default 100 (two list pages of 50) and above the
// API's largest page.
func TestTheLimitIsToldAtAnyCap(t *testing.T) {
	for _, c := range []struct{ max, hooks int }{{100, 100}, {100, 99}, {150, 150}, {150, 120}} {
		t.Run(fmt.Sprintf("%d of %d", c.hooks, c.max), func(t *testing.T) {
			h := testHandler(t, pagedHooks{&fakeAPI{t: t, hook: healthyHook(), full: true}, c.hooks})
			h.o.Config.MaxWebhooks = c.max
			full := c.hooks >= c.max
			list := get(h, h.list, "/portal/").Body.String()
			if offers := strings.Contains(list, `href="./webhooks/new"`); offers == full || strings.Contains(words(list), "maximum") != full {
				t.Errorf("the list offers Create: %v, at the limit: %v:\n%.400s", offers, full, words(list))
			}
			form := get(h, h.newForm, "/portal/webhooks/new").Body.String()
			if strings.Contains(form, `action="../webhooks/new"`) == full {
				t.Errorf("the create page offers the form at the limit: %v:\n%.400s", full, words(form))
			}
		})
	}
}
