package portal

import (
	"context"
	"strings"
	"testing"
)

// The portal is the deploying team's own page: with a brand set, the
// event picker's and the catalog's words (descriptions, examples) name
// neither hookrelay nor an API path ("Sent by
// hookrelay to the organization's other endpoints", "Sent by POST
// /api/v1/…/test", "This is a test event from hookrelay").
func TestCatalogTextFollowsTheBrand(t *testing.T) {
	h := testHandler(t, nil)
	for _, ty := range h.o.Catalog.Types() {
		for what, text := range map[string]string{"description": ty.Description, "example": string(ty.Example)} {
			if lower := strings.ToLower(text); strings.Contains(lower, "hookrelay") || strings.Contains(lower, "/api/") {
				t.Errorf("%s's %s names hookrelay or an API path: %s", ty.Name, what, text)
			}
		}
	}
	var page strings.Builder
	if err := newPage(view{Root: "../", Brand: h.o.Config.Portal}, h.form0(formData{Selected: map[string]bool{}})).Render(context.Background(), &page); err != nil {
		t.Fatal(err)
	}
	if text := words(page.String()); strings.Contains(strings.ToLower(text), "hookrelay") || !strings.Contains(text, "Sent by Send test event") {
		t.Errorf("the Acme event picker says:\n%s", text)
	}
}
