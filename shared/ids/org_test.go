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

func TestValidProducerID(t *testing.T) {
	for _, id := range []string{"", "click-123", "日本語", "team 👩\u200d💻", strings.Repeat("k", MaxProducerID)} {
		if !ValidProducerID(id) {
			t.Errorf("%q refused", id)
		}
	}
	// Past DynamoDB's 2,048-byte key a claim could never be written.
	for _, id := range []string{strings.Repeat("k", MaxProducerID+1), strings.Repeat("é", 65), strings.Repeat("k", 3000),
		"k\x00", "k\n", "k\u0085", "k\u202e1", "k\u2028", "k\u061c", "k\ufffe", "k\uffff"} {
		if ValidProducerID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}
