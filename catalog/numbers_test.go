package catalog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/message"
)

// Whatever number-heavy data the pipeline's bounds (message.CheckData) let
// through, the schema validator's work on it stays bounded, in the
// costliest shape: an integer array with a minimum, where every item is an
// exact fraction for the validator. Counted in allocations (some 20 a
// number), not time, which a busy machine makes flaky.
func TestNumberBoundsHoldValidationWork(t *testing.T) {
	own := orderCatalog(t)
	const budget = 500_000 // allocations: 50 per number the bounds allow
	array := func(lit string, n int) json.RawMessage {
		return json.RawMessage(`{"quantities":[` + strings.Repeat(lit+",", n-1) + lit + `]}`)
	}
	accepted := 0
	for _, lit := range []string{"1", "1e400", "-1e-400", "-1." + strings.Repeat("3", 56) + "e-400"} {
		// The most such numbers the bounds could allow, and as many as
		// fit in the largest data.
		for _, n := range []int{message.MaxNumbers, (message.MaxDataBytes - len(`{"quantities":[]}`) + 1) / (len(lit) + 1)} {
			data := array(lit, n)
			if message.CheckData(data) != nil {
				continue
			}
			accepted++
			allocs := testing.AllocsPerRun(1, func() { _ = own.Validate("order", data) })
			if allocs > budget {
				t.Errorf("%d numbers %.12s… (%d bytes) passed the bounds and cost the validator %.0f allocations, over %d",
					n, lit, len(data), allocs, budget)
			}
		}
	}
	if accepted < 4 {
		t.Fatalf("only %d of the bodies passed the bounds: the test checks nothing", accepted)
	}
}
