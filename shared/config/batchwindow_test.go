package config

import (
	"strings"
	"testing"
	"time"
)

// The deliver function learns the event source's batching window (0 in
// make dev); it is at most what the event source allows.
func TestDeliverBatchWindow(t *testing.T) {
	c, err := FromLookup(lookupOf(nil))
	if err != nil || c.DeliverBatchWindow != 0 {
		t.Fatalf("default: %s, %v", c.DeliverBatchWindow, err)
	}
	for v, want := range map[string]time.Duration{"0s": 0, "1s": time.Second, "5m": MaxBatchWindow} {
		c, err := FromLookup(lookupOf(map[string]string{EnvDeliverBatchWindow: v}))
		if err != nil || c.DeliverBatchWindow != want {
			t.Errorf("%s: %s, %v", v, c.DeliverBatchWindow, err)
		}
	}
	for _, v := range []string{"5m1s", "-1s", "soon"} {
		_, err := FromLookup(lookupOf(map[string]string{EnvDeliverBatchWindow: v}))
		if err == nil || !strings.Contains(err.Error(), EnvDeliverBatchWindow) {
			t.Errorf("%s: %v, want an error naming %s", v, err, EnvDeliverBatchWindow)
		}
	}
}
