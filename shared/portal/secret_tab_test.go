package portal

import (
	"regexp"
	"strings"
	"testing"
)

// TestSecretPageGuideOpensInANewTab: the secret is shown once, and its
// page's address is the endpoint's already, so Back from the signature
// guide would not bring it back: the guide opens in a new tab, and the
// link says so. Its other links (the breadcrumb, Continue) leave the page
// on purpose.
func TestSecretPageGuideOpensInANewTab(t *testing.T) {
	links := regexp.MustCompile(`<a [^>]*>.*?</a>`)
	for _, created := range []bool{true, false} {
		page := renderSecret(t, secretData{Hook: hook{ID: "wh_1", Name: "orders"}, Secret: "whsec_x", Created: created, PreviousValidTil: "2026-12-03 10:00:00 UTC"})
		guide := 0
		for _, a := range links.FindAllString(page, -1) {
			switch {
			case strings.Contains(a, `href="../../verify"`):
				guide++
				if a != `<a href="../../verify" target="_blank" rel="noopener">How to verify signatures (opens in a new tab)</a>` {
					t.Errorf("created=%v: the guide's link does not open, and say it opens, in a new tab: %s", created, a)
				}
			case strings.Contains(a, `href="../../webhooks/wh_1"`), strings.Contains(a, `href="../../"`):
			default:
				t.Errorf("created=%v: a link that leaves the secret behind: %s", created, a)
			}
		}
		if guide != 1 {
			t.Errorf("created=%v: %d links to the signature guide, want 1:\n%s", created, guide, page)
		}
	}
}
