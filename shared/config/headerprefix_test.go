package config

import (
	"strings"
	"testing"
)

func TestCheckHeaderPrefix(t *testing.T) {
	for _, good := range []string{"Hookrelay", "Acme", "A", "acme-2", strings.Repeat("a", 40)} {
		if err := CheckHeaderPrefix(good); err != nil {
			t.Errorf("CheckHeaderPrefix(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"", "Acme Corp", "Acme:", "Acme_Corp", "Acmé", "Acme\r\nX-Evil", strings.Repeat("a", 41)} {
		if err := CheckHeaderPrefix(bad); err == nil || !strings.Contains(err.Error(), "X-<prefix>-Signature") {
			t.Errorf("CheckHeaderPrefix(%q) = %v, want a refusal", bad, err)
		}
	}
}

// The stack's configuration refuses a prefix that would make every
// delivery's headers invalid, naming the variable; a valid one is kept.
func TestFromLookupChecksTheHeaderPrefix(t *testing.T) {
	env := func(prefix string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			if name == EnvHeaderPrefix {
				return prefix, true
			}
			return "", false
		}
	}
	if _, err := FromLookup(env("Acme Corp")); err == nil || !strings.Contains(err.Error(), EnvHeaderPrefix) {
		t.Fatalf("FromLookup with %s=\"Acme Corp\": %v, want an error naming it", EnvHeaderPrefix, err)
	}
	c, err := FromLookup(env(" Acme "))
	if err != nil || c.HeaderPrefix != "Acme" {
		t.Fatalf("FromLookup with %s=\" Acme \": %q, %v", EnvHeaderPrefix, c.HeaderPrefix, err)
	}
}
