package portal

import (
	"context"
	"strings"
	"testing"
)

func renderSecret(t *testing.T, d secretData) string {
	t.Helper()
	var page strings.Builder
	if err := secretPage(view{Root: "../../"}, d).Render(context.Background(), &page); err != nil {
		t.Fatal(err)
	}
	return page.String()
}

// TestSecretPageAnnouncesTheCopy: the Copy button's result is said in a
// live region, which a screen reader announces (the button's own text
// changing is not).
func TestSecretPageAnnouncesTheCopy(t *testing.T) {
	page := renderSecret(t, secretData{Hook: hook{ID: "wh_1", Name: "orders"}, Secret: "whsec_x", Created: true})
	if !strings.Contains(page, `<p class="sr-only" role="status" aria-live="polite" data-copy-status="secret"></p>`) {
		t.Errorf("the secret page has no live region for the copy:\n%s", page)
	}
}
