package config

import (
	"strings"
	"testing"
)

// The functions refuse to start with the operator claim equal to the
// organization claim (an organization named like the operator value would
// be an operator), naming both variables; different claims start.
func TestFromLookupRefusesTheOrgClaimAsOperatorClaim(t *testing.T) {
	env := map[string]string{EnvOrgClaim: "tenant", EnvOperatorClaim: "tenant"}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	if _, err := FromLookup(lookup); err == nil || !strings.Contains(err.Error(), EnvOperatorClaim) || !strings.Contains(err.Error(), "must differ") {
		t.Fatalf("the same claim for both: %v, want an error naming %s", err, EnvOperatorClaim)
	}
	env[EnvOperatorClaim] = "role"
	if c, err := FromLookup(lookup); err != nil || c.OrgClaim != "tenant" || c.OperatorClaim != "role" {
		t.Fatalf("different claims: %+v, %v", c, err)
	}
}
