package portal

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A signed-in visitor whose form's token is out of date gets a page with
// the menu and a way back, that changes nothing and does not say to
// reload (which would send the same stale form again).
func TestAnExpiredFormLeadsBack(t *testing.T) {
	h, token := sessionOf(t, "org_a")
	r := httptest.NewRequest(http.MethodPost, "/portal/webhooks/wh_1/enabled", strings.NewReader("csrf=stale&enabled=false"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: cookieName, Value: token})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	page := words(w.Body.String())
	if w.Code != http.StatusForbidden || !strings.Contains(page, "This form has expired") || !strings.Contains(page, "Back to your webhooks") ||
		!strings.Contains(page, "org_a") || strings.Contains(strings.ToLower(page), "reload") {
		t.Errorf("a stale form (%d):\n%s", w.Code, page)
	}
}
