package api_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/portal"
	"github.com/hookrelay/hookrelay/shared/portalsession"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// call is an in-process GET of the event types for org, answering the
// status the API gave (200, or the CallError's).
func call(ctx context.Context, e *env, org string) int {
	e.t.Helper()
	err := api.Call(ctx, e.h, auth.Principal{OrgID: org, Subject: "portal"}, http.MethodGet, "/api/v1/event-types", nil, nil)
	var ce *api.CallError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &ce):
		return ce.Status
	default:
		e.t.Fatal(err)
		return 0
	}
}

// Calls under one AdmitOnce cost their organization one token per ten
// (rate 2/s, burst 4: eleven calls take two tokens, then the
// organization's own clients get the two left); a call refused takes
// nothing and admits nothing; an admitted page's later calls are served
// from an empty bucket too, and the organization's next requests wait
// that debt out; calls without it, and another organization's calls under
// it, are charged one each as before.
func TestAdmitOnceChargesATokenPerTenCalls(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, withOrgRateLimit(2, clock))
	tok := e.token("org_page")
	pageCalls := func(ctx context.Context, from, to int) {
		t.Helper()
		for i := from; i <= to; i++ {
			if got := call(ctx, e, "org_page"); got != http.StatusOK {
				t.Fatalf("call %d of one page: %d", i, got)
			}
		}
	}

	page := api.AdmitOnce(context.Background())
	pageCalls(page, 1, 11)
	for i := range 2 {
		if res := e.do(http.MethodGet, "/api/v1/event-types", tok, nil); res.status != http.StatusOK {
			t.Fatalf("client request %d after the page: %d %s (11 calls took more than two tokens)", i+1, res.status, res.body)
		}
	}
	e.do(http.MethodGet, "/api/v1/event-types", tok, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")

	// The bucket is empty: a new page is refused and admits nothing, so it
	// stays refused until a token is back, then takes just that one for
	// its first ten calls.
	next := api.AdmitOnce(context.Background())
	if got := call(next, e, "org_page"); got != http.StatusTooManyRequests {
		t.Fatalf("a page over the limit: %d, want 429", got)
	}
	if got := call(next, e, "org_page"); got != http.StatusTooManyRequests {
		t.Fatalf("the refused page's second call: %d, want 429", got)
	}
	clock.advance(500 * time.Millisecond)
	pageCalls(next, 1, 10)
	e.do(http.MethodGet, "/api/v1/event-types", tok, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")
	// Admitted, the page renders whole: calls 11 and 21 take their tokens
	// from the empty bucket, two in debt, so the organization's clients
	// wait 1.5 s for the next one, not 0.5 s.
	pageCalls(next, 11, 21)
	clock.advance(time.Second)
	e.do(http.MethodGet, "/api/v1/event-types", tok, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")
	clock.advance(500 * time.Millisecond)
	if res := e.do(http.MethodGet, "/api/v1/event-types", tok, nil); res.status != http.StatusOK {
		t.Fatalf("client request once the page's debt is paid: %d %s", res.status, res.body)
	}

	// Without AdmitOnce each in-process call is a request.
	clock.advance(2 * time.Second)
	for i := range 4 {
		if got := call(context.Background(), e, "org_plain"); got != http.StatusOK {
			t.Fatalf("plain call %d within the burst: %d", i+1, got)
		}
	}
	if got := call(context.Background(), e, "org_plain"); got != http.StatusTooManyRequests {
		t.Fatalf("fifth plain call: %d, want 429", got)
	}
	// What one organization's page paid does not admit another's calls.
	for i := range 4 {
		if got := call(page, e, "org_other"); got != http.StatusOK {
			t.Fatalf("org_other's call %d within its burst: %d", i+1, got)
		}
	}
	if got := call(page, e, "org_other"); got != http.StatusTooManyRequests {
		t.Fatalf("org_other's fifth call under org_page's admission: %d, want 429", got)
	}
}

// An organization with 50 endpoints, limit 25/s (burst 50). The portal's
// list page makes 51 API calls (the list and each endpoint's attempt
// log); it renders, and costs the organization six requests (one per ten
// calls): its backend then publishes 44 times in the same instant, and
// only the 45th is refused. One token for the page would let a tenant
// reloading it read 51 times faster than its limit; a token per call
// would let the page take the backend's whole burst.
func TestPortalListPageCostsTheOrganizationATokenPerTenCalls(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, withOrgRateLimit(25, clock))
	tok := e.token("org_many")
	const endpoints = 50
	for i := range endpoints {
		clock.advance(time.Second) // creating them is not what is measured
		e.create(tok, map[string]any{"name": fmt.Sprintf("Endpoint %02d", i), "url": "https://example.com/hooks", "all_events": true})
	}
	clock.advance(3 * time.Second) // a full bucket: 50 tokens

	ps := signInToPortal(t, e, "org_many")
	list := ps.get(portal.Prefix)
	body := list.Body.String()
	if list.Code != http.StatusOK {
		t.Fatalf("list page: %d %s", list.Code, body)
	}
	for i := range endpoints {
		if name := fmt.Sprintf("Endpoint %02d", i); !strings.Contains(body, name) {
			t.Fatalf("the list page lacks %s", name)
		}
	}
	if got := len(e.attempts.calls); got != endpoints {
		t.Fatalf("the page read %d attempt logs, want %d (one per endpoint)", got, endpoints)
	}

	event := `{"event_name":"emailClick","data":` + clickData(t, 200) + `}`
	for i := range 2*25 - 6 {
		if res := e.do(http.MethodPost, "/api/v1/events", tok, event); res.status != http.StatusAccepted {
			t.Fatalf("backend publish %d after the page: %d %s", i+1, res.status, res.body)
		}
	}
	e.do(http.MethodPost, "/api/v1/events", tok, event).wantError(t, http.StatusTooManyRequests, "rate_limited")
}

// portalSession is a tenant portal on e's API, signed in for one
// organization.
type portalSession struct {
	t       *testing.T
	pages   *portal.Handler
	session *http.Cookie
}

// signInToPortal serves the portal on e's API (sessions in dynalite) and
// signs in to it for org, as its login link does.
func signInToPortal(t *testing.T, e *env, org string) *portalSession {
	t.Helper()
	db := testenv.DynamoClient(t, dynaliteEndpoint)
	table := fmt.Sprintf("api-test-%d", tableSeq.Add(1))
	if err := dynamo.EnsureTable(context.Background(), db, table); err != nil {
		t.Fatal(err)
	}
	sessions := portalsession.New(dynamo.NewPortalTokenStore(db, table))
	pages, err := portal.New(portal.Options{API: e.h, Sessions: sessions, Catalog: e.catalog, Config: e.cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := sessions.StartLogin(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	ps := &portalSession{t: t, pages: pages}
	login := ps.get(portalsession.LoginPath + "?token=" + url.QueryEscape(token))
	for _, c := range login.Result().Cookies() {
		if c.Name == "portal_session" {
			ps.session = c
		}
	}
	if login.Code != http.StatusOK || ps.session == nil {
		t.Fatalf("sign in: %d, cookies %v", login.Code, login.Result().Cookies())
	}
	return ps
}

func (ps *portalSession) get(path string) *httptest.ResponseRecorder {
	return ps.serve(httptest.NewRequest(http.MethodGet, path, nil))
}

// post submits a portal form from the portal's own origin.
func (ps *portalSession) post(path string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return ps.serve(r)
}

func (ps *portalSession) serve(r *http.Request) *httptest.ResponseRecorder {
	if ps.session != nil {
		r.AddCookie(ps.session)
	}
	w := httptest.NewRecorder()
	ps.pages.ServeHTTP(w, r)
	return w
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Every request of a portal session costs its organization one request of
// its API limit (rate 2/s, burst 4), even one that makes no API call: a
// page that only shows the catalog, a form with a made-up one-time value,
// a form refused for its token, a page not found. The fifth is refused
// with the portal's page, 429 and Retry-After, and so is the
// organization's own client, whose burst the portal spent (such
// requests cost nothing, so a tenant could send them without end). A
// page's API calls share its one charge: a page making two calls is
// served from one token, and takes only that one.
func TestEveryPortalRequestCostsTheOrganizationOne(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, withOrgRateLimit(2, clock))
	tok := e.token("org_portal")
	e.create(tok, map[string]any{"name": "Orders", "url": "https://example.com/hooks", "all_events": true})
	clock.advance(3 * time.Second) // a full bucket: 4 tokens
	ps := signInToPortal(t, e, "org_portal")

	verify := ps.get(portal.Prefix + "verify")
	m := csrfValue.FindStringSubmatch(verify.Body.String())
	if verify.Code != http.StatusOK || m == nil {
		t.Fatalf("the verify page: %d, form token found: %v", verify.Code, m != nil)
	}
	madeUp := url.Values{"csrf": {m[1]}, "name": {"Orders"}, "url": {"https://example.com/hooks"}, "all_events": {"true"}, "once": {"MADEUPMADEUPMADEUPMADEUP23"}}
	for _, c := range []struct {
		what string
		do   func() *httptest.ResponseRecorder
		want int
	}{
		{"a create with a made-up one-time value", func() *httptest.ResponseRecorder { return ps.post(portal.Prefix+"webhooks/new", madeUp) }, http.StatusBadRequest},
		{"a form without its token", func() *httptest.ResponseRecorder { return ps.post(portal.Prefix+"logout", nil) }, http.StatusForbidden},
		{"a page not found", func() *httptest.ResponseRecorder { return ps.get(portal.Prefix + "nothing-here") }, http.StatusNotFound},
	} {
		if got := c.do(); got.Code != c.want {
			t.Fatalf("%s: %d, want %d\n%s", c.what, got.Code, c.want, got.Body)
		}
	}
	refused := ps.get(portal.Prefix + "events")
	if refused.Code != http.StatusTooManyRequests || refused.Header().Get("Retry-After") != "1" ||
		!strings.Contains(refused.Body.String(), "over its API limit of 2 requests per second") {
		t.Fatalf("the fifth portal request: %d, Retry-After %q\n%s", refused.Code, refused.Header().Get("Retry-After"), refused.Body)
	}
	e.do(http.MethodGet, "/api/v1/event-types", tok, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")

	// One token back: the list page (the list and the one endpoint's
	// attempt log, two calls) is served from it alone.
	clock.advance(500 * time.Millisecond)
	if list := ps.get(portal.Prefix); list.Code != http.StatusOK || !strings.Contains(list.Body.String(), "Orders") {
		t.Fatalf("the list page from one token: %d\n%s", list.Code, list.Body)
	}
	e.do(http.MethodGet, "/api/v1/event-types", tok, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")
	clock.advance(500 * time.Millisecond)
	if res := e.do(http.MethodGet, "/api/v1/event-types", tok, nil); res.status != http.StatusOK {
		t.Fatalf("the client once a token is back: %d %s", res.status, res.body)
	}
}

// Sign-out is never refused for the organization's limit: charged when a
// token is there, it ends the session over the limit too (a tenant on a
// shared computer could not sign out while its backend
// published at its limit). A signed-out request is cheap and uncharged, so
// this lets nothing repeat for free.
func TestSignOutWorksOverTheOrganizationsLimit(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, withOrgRateLimit(2, clock))
	tok := e.token("org_out")
	clock.advance(3 * time.Second) // a full bucket: 4 tokens
	ps := signInToPortal(t, e, "org_out")
	page := ps.get(portal.Prefix + "verify")
	m := csrfValue.FindStringSubmatch(page.Body.String())
	if page.Code != http.StatusOK || m == nil {
		t.Fatalf("the verify page: %d, form token found: %v", page.Code, m != nil)
	}
	for i := range 3 {
		if res := e.do(http.MethodGet, "/api/v1/event-types", tok, nil); res.status != http.StatusOK {
			t.Fatalf("client request %d within the burst: %d %s", i+1, res.status, res.body)
		}
	}
	if over := ps.get(portal.Prefix + "events"); over.Code != http.StatusTooManyRequests {
		t.Fatalf("a page over the limit: %d, want 429", over.Code)
	}
	// Without its token a sign-out is a form like any other: refused for
	// the limit, not served for free.
	if forged := ps.post(portal.Prefix+"logout", nil); forged.Code != http.StatusTooManyRequests {
		t.Fatalf("a sign-out without its token over the limit: %d, want 429", forged.Code)
	}
	out := ps.post(portal.Prefix+"logout", url.Values{"csrf": {m[1]}})
	if out.Code != http.StatusSeeOther || out.Header().Get("Location") != "logout" { // to the signed-out page
		t.Fatalf("sign-out over the limit: %d\n%s", out.Code, out.Body)
	}
	clock.advance(time.Second) // tokens back: what answers now is the session
	if after := ps.get(portal.Prefix); after.Code != http.StatusUnauthorized {
		t.Fatalf("a page after signing out: %d, want 401 (the session still works)", after.Code)
	}
}
