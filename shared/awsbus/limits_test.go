package awsbus

import (
	"testing"

	"github.com/hookrelay/hookrelay/shared/bus/bustest"
	"github.com/hookrelay/hookrelay/shared/message"
)

// The real encoder, with every field at its largest, stays within the
// overhead message.MaxDataBytes is computed from.
func TestEntryFitsItsOverheadBudget(t *testing.T) {
	e := bustest.LargestEvent()
	budgets := message.Overheads()
	_, size, err := (&EventBridge{busName: "hookrelay"}).entry(e)
	if err != nil {
		t.Fatal(err)
	}
	if got := size - len(e.Data); got > budgets["eventbridge entry"] {
		t.Errorf("PutEvents entry overhead %d > budget %d", got, budgets["eventbridge entry"])
	}
	for name, n := range budgets {
		if n+message.MaxDataBytes > message.MessageMax {
			t.Errorf("%s: %d + MaxDataBytes exceeds %d", name, n, message.MessageMax)
		}
	}
}
