package devbus

import (
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus/bustest"
	"github.com/hookrelay/hookrelay/shared/message"
)

// The ingest message, with every field at its largest, stays within the
// overhead message.MaxDataBytes is computed from.
func TestRecordFitsItsOverheadBudget(t *testing.T) {
	e := bustest.LargestEvent()
	l := &Local{Account: "123456789012", Region: strings.Repeat("r", 32), Now: time.Now}
	body, err := l.record(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, budget := len(body)-len(e.Data), message.Overheads()["ingest message"]; got > budget {
		t.Errorf("ingest message overhead %d > budget %d", got, budget)
	}
}
