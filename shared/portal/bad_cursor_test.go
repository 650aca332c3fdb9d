package portal

import (
	"net/http"
	"strings"
	"testing"
)

// A page link whose ?cursor= the API refuses (an edited address) is
// answered in the portal's words, not the API's "cursor is invalid.",
// with a link to the first page of the page the visitor was on: the
// list's, or the same endpoint's attempt log with the same outcome
// filter, not the list, which would lose the endpoint.
func TestAnEditedPageLinkLeadsToTheFirstPage(t *testing.T) {
	h := testHandler(t, &fakeAPI{t: t, hook: failingHook()})
	for _, c := range []struct {
		name  string
		page  func(*visit) error
		path  string
		words string
		first string
	}{
		{"attempt log", h.endpoint, "/portal/webhooks/wh_1?cursor=edited", "Start again from this endpoint's newest attempts.",
			`<a class="button primary" href="../webhooks/wh_1">Back to the newest attempts</a>`},
		{"filtered attempt log", h.endpoint, "/portal/webhooks/wh_1?outcome=dead_lettered&cursor=edited&done=saved", "Start again from this endpoint's newest attempts.",
			`<a class="button primary" href="../webhooks/wh_1?outcome=dead_lettered">Back to the newest attempts</a>`},
		{"webhooks", h.list, "/portal/?cursor=edited", "Start again from your webhooks.",
			`<a class="button primary" href="./">Back to your webhooks</a>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := get(h, c.page, c.path)
			page := w.Body.String()
			text := words(page)
			if w.Code != http.StatusBadRequest || strings.Contains(text, "cursor") ||
				!strings.Contains(text, "Page link not valid This page link is not valid: it may have been edited. "+c.words) {
				t.Errorf("%d:\n%s", w.Code, text)
			}
			if !strings.Contains(page, c.first) {
				t.Errorf("no %s:\n%s", c.first, page)
			}
		})
	}
}
