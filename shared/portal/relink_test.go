package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// A used sign-in link opened again by the browser it signed in (a second
// tab, a frame loaded again, an app mounting its frame again with the
// cached src) leads on to the webhooks, not to "This link has expired":
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
	}
	open := func(token string, o opening) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/portal/login?token="+url.QueryEscape(token), nil)
		r.Header.Set("Sec-Fetch-Site", o.site)
		if o.dest != "" {
			r.Header.Set("Sec-Fetch-Dest", o.dest)
		}
		for _, c := range o.cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
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

	// Without the session cookie (another browser, or a navigation from
	// another site, which does not send it) it is expired, as before.
	isExpired("no session", open(used, opening{site: "cross-site", cookies: []*http.Cookie{org}}), expired)
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
