package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// sendForm posts form to path through the whole handler, as the browser
// does from a portal page, with the session cookie when one is given.
func sendForm(h *Handler, path string, form url.Values, session string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if session != "" {
		r.AddCookie(&http.Cookie{Name: cookieName, Value: session})
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Sign out answers with its own page's address (post/redirect/get): a
// reload shows "signed out" again, never the one-hour limit, and the
// address opened later (history, a restored tab) is that page, not a 404.
// The GET signs no one out.
func TestSignOutRedirectsToItsOwnPage(t *testing.T) {
	h, session := sessionOf(t, "org_a")
	cookie := &http.Cookie{Name: cookieName, Value: session}

	if w := fetchFrom(h, "/portal/logout", "document", "cross-site", cookie); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "./" {
		t.Fatalf("GET logout while signed in: %d %q, want 303 to the list", w.Code, w.Header().Get("Location"))
	}
	s, err := h.o.Sessions.Lookup(t.Context(), session)
	if err != nil {
		t.Fatalf("a GET ended the session: %v", err)
	}

	w := sendForm(h, "/portal/logout", url.Values{"csrf": {s.CSRF}}, session)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "logout" {
		t.Fatalf("sign out: %d %q, want 303 to logout", w.Code, w.Header().Get("Location"))
	}
	// The page it leads to, its reload, and the form sent again.
	for i, w := range []*httptest.ResponseRecorder{fetchFrom(h, "/portal/logout", "document", "same-origin", cookie), fetchFrom(h, "/portal/logout", "", "")} {
		if page := words(w.Body.String()); w.Code != http.StatusOK || !strings.Contains(page, "You are signed out Open the webhooks page from Acme again to sign in.") {
			t.Errorf("signed-out page %d: %d %q", i, w.Code, page)
		}
	}
	if w := sendForm(h, "/portal/logout", url.Values{"csrf": {s.CSRF}}, session); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "logout" {
		t.Errorf("sign out sent again: %d %q, want 303 to logout", w.Code, w.Header().Get("Location"))
	}
}

// A form sent after the session ended says plainly that nothing was done
// (a Create: that the webhook was not created), and does not blame the
// one-hour limit alone when a sign-out in another tab ended it.
func TestAFormSentAfterTheSessionEndedSaysNothingWasDone(t *testing.T) {
	h, _ := loginPortal(t)
	for path, want := range map[string]string{
		"/portal/webhooks/new":  "Your session has ended The webhook was not created. You signed out, or the session reached its one-hour limit.",
		"/portal/webhooks/wh_1": "Your session has ended Nothing was changed. You signed out, or the session reached its one-hour limit.",
	} {
		w := sendForm(h, path, url.Values{"name": {"Orders"}, "csrf": {"x"}}, "ended")
		if page := words(w.Body.String()); w.Code != http.StatusUnauthorized || !strings.Contains(page, want) {
			t.Errorf("POST %s: %d %q", path, w.Code, page)
		}
	}
	if page := words(fetchFrom(h, "/portal/webhooks/new", "", "").Body.String()); strings.Contains(page, "Nothing was") || strings.Contains(page, "not created") {
		t.Errorf("a page opened without a session speaks of a form: %q", page)
	}
}
