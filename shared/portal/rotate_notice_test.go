package portal

import (
	"context"
	"strings"
	"testing"
)

// TestRotateNoticeSaysRotatingAgainEndsTheGrace: only one previous secret
// is kept, so the page that promises the previous secret until a time must
// say that another rotation ends that promise (README's rotation section).
func TestRotateNoticeSaysRotatingAgainEndsTheGrace(t *testing.T) {
	var page strings.Builder
	d := secretData{Hook: hook{ID: "wh_1", Name: "orders"}, Secret: "whsec_x", PreviousValidTil: "2026-12-02 04:36:42 UTC"}
	if err := secretPage(view{Root: "../../"}, d).Render(context.Background(), &page); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"keeps working until <strong id=\"previous-expiry\">2026-12-02 04:36:42 UTC</strong>",
		"rotating again before then stops the previous secret at once",
	} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the rotate page lacks %q:\n%s", want, page.String())
		}
	}
}
