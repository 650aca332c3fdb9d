package portal

import (
	"net/http/httptest"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	for _, c := range []struct {
		name           string
		origin, fetch  string
		wantSameOrigin bool
	}{
		{"a browser's own form post", "http://portal.example", "same-origin", true},
		{"an old browser sending neither header", "", "", true},
		{"another site's page", "https://evil.example", "cross-site", false},
		{"a sibling subdomain", "http://other.portal.example", "same-site", false},
		{"Origin alone from another host", "http://evil.example", "", false},
		{"an opaque origin", "null", "", false},
		{"fetch metadata alone", "", "cross-site", false},
		{"a typed address (no initiator)", "", "none", false},
	} {
		r := httptest.NewRequest("POST", "http://portal.example/portal/webhooks/new", nil)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.fetch != "" {
			r.Header.Set("Sec-Fetch-Site", c.fetch)
		}
		if got := sameOrigin(r); got != c.wantSameOrigin {
			t.Errorf("%s: sameOrigin = %v, want %v", c.name, got, c.wantSameOrigin)
		}
	}
}
