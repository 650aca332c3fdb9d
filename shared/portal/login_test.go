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
		return fetchFrom(h, loginPath(token), "", "cross-site", have...) // the deploying team's page links here
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
		return fetchFrom(h, loginPath(token), "", "cross-site", have...)
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

// A used sign-in link opened again by the browser it signed in (a second
// tab, a frame loaded again, an app mounting its frame again with the
// cached src, a link on another site through a page of the portal's own
// site) leads on to the webhooks, not to "This link has expired":
// that browser's session is of the link's organization. It issues nothing.
// Without a session, with one of another organization, or once the session
// it opened could have ended, the link is expired as before; and a link
// never used is expired whatever session comes with it.
func TestUsedLinkOpenedAgainWhileSignedIn(t *testing.T) {
	h, m := loginPortal(t)
	now := time.Now()
	m.Now = func() time.Time { return now }
	type opening struct {
		site, dest string
		cookies    []*http.Cookie
		reopened   bool // the portal's own page opens it (reopenFromOwnSite)
	}
	open := func(token string, o opening) *httptest.ResponseRecorder {
		target := loginPath(token)
		if o.reopened {
			target += "&reopened=1"
		}
		return fetchFrom(h, target, o.dest, o.site, o.cookies...)
	}
	const expired = "This link has expired Sign-in links work once and only for a few minutes. Open the webhooks page from Acme again to get a new one."
	const expiredFramed = "This link has expired Sign-in links work once and only for a few minutes. Reload this page to get a new one."
	isExpired := func(what string, w *httptest.ResponseRecorder, want string) {
		t.Helper()
		if page := words(w.Body.String()); w.Code != http.StatusUnauthorized || !strings.Contains(page, want) || strings.Contains(page, "Continue to your webhooks") ||
			len(w.Result().Cookies()) != 0 {
			t.Fatalf("%s: %d, cookies %v, page %q; want the expired page, no cookie", what, w.Code, w.Result().Cookies(), page)
		}
	}

	used := link(t, m, "org_a")
	w := open(used, opening{site: "cross-site"})
	session, org := cookies(w)[cookieName], cookies(w)[orgCookieName]
	if w.Code != http.StatusOK || session == nil || org == nil {
		t.Fatalf("first sign-in: %d, cookies %v", w.Code, cookies(w))
	}
	signedIn := []*http.Cookie{session, org}

	// Opened again in a tab or a frame of the same site: the Strict session
	// cookie comes along, and the page leads on to the list.
	for name, again := range map[string]opening{
		"in another tab":              {site: "same-origin", cookies: signedIn},
		"in a frame of the same site": {site: "same-site", dest: "iframe", cookies: signedIn},
		"typed, or from the history":  {site: "none", cookies: signedIn},
	} {
		w := open(used, again)
		body := w.Body.String()
		if page := words(body); w.Code != http.StatusOK || !strings.Contains(page, "You are signed in Continue to your webhooks") ||
			!strings.Contains(body, `<a class="button primary" href="./">Continue to your webhooks</a>`) || !strings.Contains(body, `content="0; url=./"`) {
			t.Fatalf("the used link again, %s: %d, page %q", name, w.Code, page)
		}
		if got := w.Result().Cookies(); len(got) != 0 {
			t.Fatalf("the used link again, %s, issued cookies %v", name, got)
		}
	}
	if s, err := m.Lookup(context.Background(), session.Value); err != nil || s.OrgID != "org_a" {
		t.Fatalf("the session after: %+v, %v", s, err)
	}

	// Followed from another site's page, which sends the Lax org cookie
	// but not the Strict session cookie: a page of the portal's own site
	// opens it again, once, where the session cookie comes along.
	w = open(used, opening{site: "cross-site", dest: "document", cookies: []*http.Cookie{org}})
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(words(body), "Checking your sign-in Continue") ||
		!strings.Contains(body, `content="0; url=login?token=`+url.QueryEscape(used)+`&amp;reopened=1"`) || len(w.Result().Cookies()) != 0 {
		t.Fatalf("the used link from another site: %d, cookies %v, page %q", w.Code, w.Result().Cookies(), body)
	}
	w = open(used, opening{site: "same-origin", cookies: signedIn, reopened: true})
	if page := words(w.Body.String()); w.Code != http.StatusOK || !strings.Contains(page, "You are signed in Continue to your webhooks") || len(w.Result().Cookies()) != 0 {
		t.Fatalf("the used link opened again by the portal's page, signed in: %d, page %q", w.Code, page)
	}
	isExpired("opened again by the portal's page, no session", open(used, opening{site: "same-origin", cookies: []*http.Cookie{org}, reopened: true}), expired)
	isExpired("marked as opened again, yet from another site", open(used, opening{site: "cross-site", dest: "document", cookies: []*http.Cookie{org}, reopened: true}), expired)

	// Without the session cookie (another browser, or a navigation from
	// another site by a browser that never signed in here) it is expired.
	isExpired("no session", open(used, opening{site: "cross-site", dest: "document"}), expired)
	isExpired("no session, the org cookie, not a page", open(used, opening{site: "cross-site", cookies: []*http.Cookie{org}}), expired)
	isExpired("no session, in a frame", open(used, opening{site: "same-site", dest: "iframe"}), expiredFramed)

	// A session of another organization: the link is expired for it, and
	// the page names neither organization nor leads to any webhooks.
	otherToken, _, err := m.Redeem(context.Background(), link(t, m, "org_b"))
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Cookie{Name: cookieName, Value: otherToken}
	w = open(used, opening{site: "same-origin", cookies: []*http.Cookie{other, org}})
	isExpired("a session of another organization", w, expired)
	if page := words(w.Body.String()); strings.Contains(page, "org_a") || strings.Contains(page, "org_b") {
		t.Fatalf("a session of another organization: the page names one: %q", page)
	}

	// A link never used, or never issued, comes with a session of its
	// own organization: still expired. Only a used link is known.
	stale := link(t, m, "org_a")
	now = now.Add(portalsession.LoginTTL)
	isExpired("a link that expired unused", open(stale, opening{site: "same-origin", cookies: signedIn}), expired)
	isExpired("a link never issued", open("NOSUCHLINKTOKEN", opening{site: "same-origin", cookies: signedIn}), expired)

	// Once the session the link opened could have ended, a session of the
	// organization from a later link does not make it good again.
	now = now.Add(portalsession.SessionTTL - portalsession.LoginTTL) // the first session's end
	later := link(t, m, "org_a")
	laterToken, _, err := m.Redeem(context.Background(), later)
	if err != nil {
		t.Fatal(err)
	}
	isExpired("an hour later", open(used, opening{site: "same-origin", cookies: []*http.Cookie{{Name: cookieName, Value: laterToken}, org}}), expired)

	// Signed out, the used link signs no one in again.
	if err := m.End(context.Background(), laterToken); err != nil {
		t.Fatal(err)
	}
	isExpired("signed out", open(later, opening{site: "same-origin", cookies: []*http.Cookie{{Name: cookieName, Value: laterToken}, org}}), expired)
}
