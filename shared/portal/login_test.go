package portal

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/portalsession"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// loginPortal is the portal with real session storage (dynalite); its API
// answers nothing, which signing in never asks.
func loginPortal(t *testing.T) (*Handler, *portalsession.Manager) {
	db, table := testenv.Table(t)
	sessions := portalsession.New(dynamo.NewPortalTokenStore(db, table))
	h, err := New(Options{
		API: http.NotFoundHandler(), Sessions: sessions, Catalog: catalogtest.Default(t),
		Config: config.Config{Portal: config.Portal{ProductName: "Acme", AccentColor: "#4f46e5"}}, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, sessions
}

// sessionOf signs org in: the portal and its session cookie's value.
func sessionOf(t *testing.T, org string) (*Handler, string) {
	t.Helper()
	h, m := loginPortal(t)
	token, _, err := m.Redeem(context.Background(), link(t, m, org))
	if err != nil {
		t.Fatal(err)
	}
	return h, token
}

func link(t *testing.T, m *portalsession.Manager, org string) string {
	t.Helper()
	token, _, err := m.StartLogin(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func cookies(w *httptest.ResponseRecorder) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range w.Result().Cookies() {
		out[c.Name] = c
	}
	return out
}

// A login link for another organization than the browser's session is
// not followed without asking: another tenant can mint such links and
// have a site open them, which would swap the session unseen.
func TestLoginAsksBeforeSwitchingOrganization(t *testing.T) {
	h, m := loginPortal(t)
	open := func(token string, have ...*http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/portal/login?token="+url.QueryEscape(token), nil)
		r.Header.Set("Sec-Fetch-Site", "cross-site") // the deploying team's page links here
		for _, c := range have {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	// First sign-in: both cookies; the organization's is sent cross-site.
	w := open(link(t, m, "org_b"))
	got := cookies(w)
	session, org := got[cookieName], got[orgCookieName]
	if w.Code != http.StatusOK || session == nil || org == nil || org.Value != "org_b" {
		t.Fatalf("first sign-in: %d, cookies %v", w.Code, got)
	}
	if session.SameSite != http.SameSiteStrictMode || org.SameSite != http.SameSiteLaxMode || !org.HttpOnly || org.MaxAge <= 0 {
		t.Fatalf("cookie attributes: session %+v, organization %+v", session, org)
	}

	// The same organization again signs in at once.
	if w := open(link(t, m, "org_b"), org); w.Code != http.StatusOK || cookies(w)[cookieName] == nil {
		t.Fatalf("a link of the same organization: %d, cookies %v", w.Code, cookies(w))
	}

	// Another organization's link asks, and changes nothing yet.
	other := link(t, m, "org_a")
	w = open(other, org)
	page := words(w.Body.String())
	nonce := cookies(w)[switchCookieName]
	if w.Code != http.StatusOK || len(cookies(w)) != 1 || nonce == nil || nonce.SameSite != http.SameSiteStrictMode ||
		!strings.Contains(w.Body.String(), `name="nonce" value="`+nonce.Value+`"`) ||
		!strings.Contains(page, "Switch organization?") || !strings.Contains(page, "last signed in to the webhooks of organization org_b") ||
		!strings.Contains(page, "for organization org_a") || !strings.Contains(page, "Continue to org_a") || !strings.Contains(page, "Stay with org_b") {
		t.Fatalf("another organization's link: %d, cookies %v, page %q", w.Code, cookies(w), page)
	}
	if got, err := m.LoginOrg(context.Background(), other); err != nil || got != "org_a" {
		t.Fatalf("asking used up the link: %q, %v", got, err)
	}

	// The answer counts only from the portal's own page: same origin, and
	// the question's nonce in both its form and its Strict cookie (which a
	// post from another site would not carry, whatever headers it sends).
	post := func(token, site string, cookie *http.Cookie, formNonce string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/portal/login", strings.NewReader(url.Values{"token": {token}, "nonce": {formNonce}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if site != "" {
			r.Header.Set("Sec-Fetch-Site", site)
		}
		if cookie != nil {
			r.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for _, refused := range []struct {
		name      string
		site      string
		cookie    *http.Cookie
		formNonce string
	}{
		{"from another site", "cross-site", nonce, nonce.Value},
		{"without the question's cookie, from a browser sending no fetch headers", "", nil, nonce.Value},
		{"with another nonce", "same-origin", nonce, "forged"},
	} {
		if w := post(other, refused.site, refused.cookie, refused.formNonce); w.Code != http.StatusForbidden || len(cookies(w)) != 0 {
			t.Fatalf("a continue %s: %d, cookies %v", refused.name, w.Code, cookies(w))
		}
	}
	w = post(other, "same-origin", nonce, nonce.Value)
	if got := cookies(w); w.Code != http.StatusOK || got[cookieName] == nil || got[orgCookieName] == nil || got[orgCookieName].Value != "org_a" ||
		got[switchCookieName] == nil || got[switchCookieName].MaxAge >= 0 {
		t.Fatalf("continue: %d, cookies %v", w.Code, got)
	}
	if s, err := m.Lookup(context.Background(), cookies(w)[cookieName].Value); err != nil || s.OrgID != "org_a" {
		t.Fatalf("the new session: %+v, %v", s, err)
	}
	if w := post(other, "same-origin", nonce, nonce.Value); w.Code != http.StatusUnauthorized {
		t.Fatalf("the link a second time: %d", w.Code)
	}
}

// Sign out ends the session but not the browser's memory of its
// organization: another tenant's link opened afterwards (by any site) is
// still asked about, not followed.
func TestSignOutKeepsAskingBeforeAnotherOrganization(t *testing.T) {
	h, m := loginPortal(t)
	open := func(token string, have ...*http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/portal/login?token="+url.QueryEscape(token), nil)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		for _, c := range have {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := open(link(t, m, "org_b"))
	session, org := cookies(w)[cookieName], cookies(w)[orgCookieName]
	if session == nil || org == nil || org.MaxAge < int(orgMemory/time.Second)-60 {
		t.Fatalf("sign-in cookies: %v (the organization's must last %v)", cookies(w), orgMemory)
	}
	s, err := m.Lookup(context.Background(), session.Value)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/portal/logout", strings.NewReader(url.Values{"csrf": {s.CSRF}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(session)
	r.AddCookie(org)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	got := cookies(w)
	if w.Code != http.StatusSeeOther || got[cookieName] == nil || got[cookieName].MaxAge >= 0 || got[orgCookieName] != nil {
		t.Fatalf("sign out: %d, cookies %v (want the session's ended, the organization's untouched)", w.Code, got)
	}
	other := link(t, m, "org_attacker")
	w = open(other, org)
	if page := words(w.Body.String()); cookies(w)[cookieName] != nil || !strings.Contains(page, "Switch organization?") {
		t.Fatalf("another organization's link after sign out: cookies %v, page %q", cookies(w), page)
	}
	if got, err := m.LoginOrg(context.Background(), other); err != nil || got != "org_attacker" {
		t.Fatalf("asking used up the link: %q, %v", got, err)
	}
}

// Every signed-in page names the session's organization, so a switch
// (asked, or after a session ended) is seen before an endpoint is set up.
func TestPagesNameTheOrganization(t *testing.T) {
	h := testHandler(t, &fakeAPI{t: t, hook: healthyHook()})
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if !strings.Contains(page, `<span class="org" title="Organization">org_a</span>`) {
		t.Fatalf("the page does not name org_a:\n%s", page)
	}
}
