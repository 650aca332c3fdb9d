package portal

import (
	"context"
	"strings"
	"testing"
	"time"
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

// TestEndpointPageSaysUntilWhenThePreviousSecretSigns: after a rotation
// the endpoint page keeps telling the tenant how long the old secret stays
// valid (the API shows the time only while the grace lasts).
func TestEndpointPageSaysUntilWhenThePreviousSecretSigns(t *testing.T) {
	render := func(h hook) string {
		t.Helper()
		var page strings.Builder
		if err := endpointPage(view{Root: "../../"}, endpointData{Hook: h}).Render(context.Background(), &page); err != nil {
			t.Fatal(err)
		}
		return page.String()
	}
	h := hook{ID: "wh_1", Name: "orders", Enabled: true}
	if page := render(h); strings.Contains(page, "previous-secret") {
		t.Errorf("never rotated, the page speaks of a previous secret:\n%s", page)
	}
	h.PreviousSecretExpiresAt = time.Date(2026, 12, 2, 4, 36, 42, 0, time.UTC)
	want := "The previous signing secret also signs until <strong>2026-12-02 04:36:42 UTC</strong>"
	if page := render(h); !strings.Contains(page, want) {
		t.Errorf("the endpoint page lacks %q:\n%s", want, page)
	}
}
