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

// TestSecretPageLeadsWithCopy: copying the secret is the page's primary
// action, and the page says how to get a new one if it is lost.
func TestSecretPageLeadsWithCopy(t *testing.T) {
	for _, created := range []bool{true, false} {
		page := renderSecret(t, secretData{Hook: hook{ID: "wh_1", Name: "orders"}, Secret: "whsec_x", Created: created})
		if strings.Count(page, "primary") != 1 || !strings.Contains(page, `class="button primary" data-copy="secret"`) {
			t.Errorf("created=%v: Copy is not the one primary action:\n%s", created, page)
		}
		if !strings.Contains(words(page), "Lost it? Use Rotate secret on the endpoint page to get a new one.") {
			t.Errorf("created=%v: the page does not say how to replace a lost secret:\n%s", created, words(page))
		}
		if !strings.Contains(page, `<a class="button" href="../../webhooks/wh_1">I've stored it: continue to the endpoint</a>`) {
			t.Errorf("created=%v: no plain Continue button:\n%s", created, page)
		}
	}
}
