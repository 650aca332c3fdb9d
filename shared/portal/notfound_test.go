package portal

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A path no route serves says what the page offers: a signed-in visitor
// keeps the menu (organization and Sign out too) and a way back to the
// list; anyone else is not pointed at a menu the page does not have.
func TestPageNotFoundOffersWhatItShows(t *testing.T) {
	h, token := sessionOf(t, "org_a")
	open := func(path string, have ...*http.Cookie) (int, string) {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for _, c := range have {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}

	for path, root := range map[string]string{"/portal/nosuchpage": "./", "/portal/webhooks/wh_1/nosuch": "../../", "/portal/events/nosuch": "../"} {
		code, page := open(path, &http.Cookie{Name: cookieName, Value: token})
		text := words(page)
		if code != http.StatusNotFound || !strings.Contains(text, "Page not found") || !strings.Contains(text, "org_a") {
			t.Errorf("signed in, %s: %d\n%s", path, code, text)
		}
		for _, want := range []string{`<nav aria-label="Webhooks">`, `action="` + root + `logout"`, `<a class="button primary" href="` + root + `">Back to your webhooks</a>`} {
			if !strings.Contains(page, want) {
				t.Errorf("signed in, %s lacks %s:\n%s", path, want, page)
			}
		}
	}

	for name, have := range map[string][]*http.Cookie{
		"no session":    nil,
		"ended session": {{Name: cookieName, Value: "not-a-session"}},
	} {
		code, page := open("/portal/nosuchpage", have...)
		text := words(page)
		if code != http.StatusNotFound || !strings.Contains(text, "Page not found") || strings.Contains(page, "<nav") ||
			strings.Contains(strings.ToLower(text), "menu") || strings.Contains(text, "Back to your webhooks") {
			t.Errorf("%s: %d\n%s", name, code, text)
		}
	}
}
