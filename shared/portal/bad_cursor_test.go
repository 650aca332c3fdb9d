package portal

import (
	"net/http"
	"strings"
	"testing"
)

// A page link whose ?cursor= the API refuses (an edited address) is
// answered in the portal's words, with a link back to the list's first
// page: not the API's "cursor is invalid."
func TestAnEditedPageLinkLeadsToTheFirstPage(t *testing.T) {
	h := testHandler(t, &fakeAPI{t: t, hook: failingHook()})
	for _, c := range []struct {
		name  string
		page  func(*visit) error
		path  string
		first string
	}{
		{"attempt log", h.endpoint, "/portal/webhooks/wh_1?cursor=edited", `href="../"`},
		{"webhooks", h.list, "/portal/?cursor=edited", `href="./"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := get(h, c.page, c.path)
			page := w.Body.String()
			text := words(page)
			if w.Code != http.StatusBadRequest || strings.Contains(text, "cursor") ||
				!strings.Contains(text, "Page link not valid This page link is not valid: it may have been edited. Start again from your webhooks.") {
				t.Errorf("%d:\n%s", w.Code, text)
			}
			if want := `<a class="button primary" ` + c.first + `>Back to your webhooks</a>`; !strings.Contains(page, want) {
				t.Errorf("no %s:\n%s", want, page)
			}
		})
	}
}
