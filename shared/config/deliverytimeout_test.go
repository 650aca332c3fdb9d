package config

import (
	"strings"
	"testing"
)

// make dev reads the stack's variables: a delivery timeout the stack's
// synth refuses (not whole seconds, above 5m) is refused at start too,
// naming the variable.
func TestFromLookupChecksTheDeliveryTimeout(t *testing.T) {
	for _, bad := range []string{"24h", "1ns", "1500ms", "-1s"} {
		lookup := func(name string) (string, bool) { return bad, name == EnvDeliveryTimeout }
		if _, err := FromLookup(lookup); err == nil || !strings.Contains(err.Error(), EnvDeliveryTimeout) {
			t.Errorf("%s=%s: %v, want an error naming it", EnvDeliveryTimeout, bad, err)
		}
	}
	lookup := func(name string) (string, bool) { return "5m", name == EnvDeliveryTimeout }
	if c, err := FromLookup(lookup); err != nil || c.DeliveryTimeout.String() != "5m0s" {
		t.Fatalf("5m: %v, %v", c.DeliveryTimeout, err)
	}
}
