package bus

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/message"
)

// The real encoders, with every field at its largest, stay within the
// overheads message.MaxDataBytes is computed from.
func TestWrappersFitTheirOverheadBudgets(t *testing.T) {
	data := json.RawMessage(`"` + strings.Repeat("x", message.MaxDataBytes-2) + `"`)
	e := Event{
		OrgID:     strings.Repeat("o", message.MaxOrgID),
		EventName: strings.Repeat("n", message.MaxEventName),
		EventID:   "evt_" + strings.Repeat("z", 64),
		Data:      data,
		Time:      time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
		Source:    strings.Repeat("s", 256),
	}
	budgets := message.Overheads()

	_, size, err := (&EventBridge{busName: "hookrelay"}).entry(e)
	if err != nil {
		t.Fatal(err)
	}
	if got := size - len(data); got > budgets["eventbridge entry"] {
		t.Errorf("PutEvents entry overhead %d > budget %d", got, budgets["eventbridge entry"])
	}

	l := &Local{Account: "123456789012", Region: strings.Repeat("r", 32), Now: time.Now}
	body, err := l.record(e)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(body) - len(data); got > budgets["ingest message"] {
		t.Errorf("ingest message overhead %d > budget %d", got, budgets["ingest message"])
	}
	for name, n := range budgets {
		if n+message.MaxDataBytes > message.MessageMax {
			t.Errorf("%s: %d + MaxDataBytes exceeds %d", name, n, message.MessageMax)
		}
	}
}
