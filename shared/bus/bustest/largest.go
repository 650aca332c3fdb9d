package bustest

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/message"
)

// LargestEvent has every field at the largest size the API and fan-out
// accept, so an adapter's test can check its wrapper stays within the
// overhead message.MaxDataBytes is computed from.
func LargestEvent() bus.Event {
	return bus.Event{
		OrgID:     strings.Repeat("o", message.MaxOrgID),
		EventName: strings.Repeat("n", message.MaxEventName),
		EventID:   "evt_" + strings.Repeat("z", 64),
		Data:      json.RawMessage(`"` + strings.Repeat("x", message.MaxDataBytes-2) + `"`),
		Time:      time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
		Source:    strings.Repeat("s", 256),
	}
}
