package ids

import (
	"strings"
	"testing"
)

func TestValidOrg(t *testing.T) {
	for _, org := range []string{"org_abc", "A-Z.0@9+x=y", strings.Repeat("o", 128)} {
		if !ValidOrg(org) {
			t.Errorf("%q refused", org)
		}
	}
	// '#' joins DynamoDB key parts, '/' separates secret name parts.
	for _, org := range []string{"", "a#b/c", "org_a#WH#x", "org/a", "org a", "org\x00", "orgé", "org\u202e", strings.Repeat("o", 129)} {
		if ValidOrg(org) {
			t.Errorf("%q accepted", org)
		}
	}
}
