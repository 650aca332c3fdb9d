package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// fetchFrom is a GET of path as a browser sends it: dest and site are its
// Sec-Fetch-Dest and Sec-Fetch-Site (each left out when ""), with cookies.
func fetchFrom(h *Handler, path, dest, site string, have ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if dest != "" {
		r.Header.Set("Sec-Fetch-Dest", dest)
	}
	if site != "" {
		r.Header.Set("Sec-Fetch-Site", site)
	}
	for _, c := range have {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// loginPath is the sign-in link of token.
func loginPath(token string) string { return "/portal/login?token=" + url.QueryEscape(token) }

// A page on another site framing the portal never gets a session: the
// browser neither keeps nor sends its SameSite=Strict cookie there. So the
// login link is not used up in the frame: the frame
// says why and offers the same link in a new tab, where it signs in.
func TestCrossSiteFrameKeepsTheLinkForANewTab(t *testing.T) {
	h, m := loginPortal(t)
	token := link(t, m, "org_b")
	login := loginPath(token)

	w := fetchFrom(h, login, "iframe", "cross-site")
	page := words(w.Body.String())
	newTab := `href="./login?token=` + url.QueryEscape(token) + `" target="_blank" rel="noopener"`
	if w.Code != http.StatusOK || len(w.Result().Cookies()) != 0 || !strings.Contains(w.Body.String(), newTab) ||
		!strings.Contains(page, "Acme shows this page from another site, where your browser will not keep you signed in.") ||
		!strings.Contains(page, "Open webhooks in a new tab") {
		t.Fatalf("a cross-site frame's login: %d, cookies %v, page %s", w.Code, cookies(w), w.Body.String())
	}
	if org, err := m.LoginOrg(context.Background(), token); err != nil || org != "org_b" {
		t.Fatalf("the framed login used up the link: %q, %v", org, err)
	}

	// The new tab: a top-level navigation from the frame's own page.
	w = fetchFrom(h, login, "document", "same-origin")
	if got := cookies(w); w.Code != http.StatusOK || got[cookieName] == nil || got[orgCookieName] == nil || !strings.Contains(words(w.Body.String()), "You are signed in") {
		t.Fatalf("the link in a new tab: %d, cookies %v", w.Code, got)
	}

	// A frame on the same site (the API on a custom domain) signs in there.
	if w := fetchFrom(h, loginPath(link(t, m, "org_b")), "iframe", "same-site"); cookies(w)[cookieName] == nil {
		t.Fatalf("a same-site frame's login: %d, cookies %v", w.Code, cookies(w))
	}

	// A portal page framed by another site: no session, but none ended.
	w = fetchFrom(h, "/portal/", "iframe", "cross-site")
	if page := words(w.Body.String()); w.Code != http.StatusUnauthorized || strings.Contains(page, "one-hour limit") ||
		!strings.Contains(page, "from another site, where your browser will not keep you signed in") {
		t.Fatalf("a page framed cross-site: %d, %q", w.Code, page)
	}
}

// Signed out inside a frame, the visitor is on the host product's webhooks
// page already: reloading it brings a new link. Outside a
// frame they are told to open that page again.
func TestSignedOutPagesInAFrameSayReload(t *testing.T) {
	h, m := loginPortal(t)
	for _, c := range []struct {
		dest, want, not string
	}{
		{"iframe", "Reload this page to continue.", "Open the webhooks page"},
		{"document", "one-hour limit. Open the webhooks page from Acme again to continue.", "Reload"},
		{"", "one-hour limit. Open the webhooks page from Acme again to continue.", "Reload"},
	} {
		w := fetchFrom(h, "/portal/", c.dest, "same-origin")
		if page := words(w.Body.String()); w.Code != http.StatusUnauthorized || !strings.Contains(page, c.want) || strings.Contains(page, c.not) {
			t.Errorf("session ended, dest %q: %d, %q", c.dest, w.Code, page)
		}
	}

	token := link(t, m, "org_b")
	fetchFrom(h, loginPath(token), "iframe", "same-site")
	w := fetchFrom(h, loginPath(token), "iframe", "same-site")
	if page := words(w.Body.String()); w.Code != http.StatusUnauthorized || !strings.Contains(page, "Reload this page to get a new one.") {
		t.Errorf("a used link in a frame: %d, %q", w.Code, page)
	}

	w = fetchFrom(h, loginPath(link(t, m, "org_b")), "iframe", "same-site")
	session := cookies(w)[cookieName]
	s, err := m.Lookup(context.Background(), session.Value)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/portal/logout", strings.NewReader(url.Values{"csrf": {s.CSRF}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Dest", "iframe")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(session)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Errorf("sign out in a frame: %d, want 303", w.Code)
	}
	w = fetchFrom(h, "/portal/logout", "iframe", "same-origin")
	if page := words(w.Body.String()); w.Code != http.StatusOK || !strings.Contains(page, "You are signed out Reload this page to sign in.") {
		t.Errorf("sign out in a frame: %d, %q", w.Code, page)
	}
}
