// Package bustest holds the events the bus adapters' tests put.
package bustest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
)

// SampleEvents returns n events of one org whose data holds characters
// JSON encoders like to escape ("<", ">", "&"), with ids evt_000, evt_001...
// and one-second-apart times.
func SampleEvents(n int) []bus.Event {
	out := make([]bus.Event, n)
	for i := range out {
		out[i] = bus.Event{
			OrgID: "org_a", EventName: "emailClick", EventID: fmt.Sprintf("evt_%03d", i),
			Data: json.RawMessage(fmt.Sprintf(`{"n":%d,"html":"<a href=\"x\">&</a>"}`, i)),
			Time: time.Date(2025, 4, 18, 12, 0, i, 0, time.UTC),
		}
	}
	return out
}
