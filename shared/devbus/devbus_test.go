package devbus

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/bus/bustest"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// countingSender counts SendBatch calls and their sizes on a real queue.
type countingSender struct {
	q     *sqsqueue.Client
	sizes []int
}

func (c *countingSender) SendBatch(ctx context.Context, url string, msgs []queue.Message) (int, error) {
	c.sizes = append(c.sizes, len(msgs))
	return c.q.SendBatch(ctx, url, msgs)
}

func TestLocalLandsEventBridgeEventsOnTheIngestQueue(t *testing.T) {
	api := testenv.SQSClient(t, testenv.Goaws(t))
	q := sqsqueue.New(api)
	url := testenv.Queue(t, api, "ingest", nil)
	sender := &countingSender{q: q}
	l := NewLocal(sender, url)
	now := time.Date(2025, 4, 18, 12, 0, 0, 700_000_000, time.UTC)
	l.Now = func() time.Time { return now }

	evs := bustest.SampleEvents(23)
	evs[0].Time = time.Time{} // the bus's clock
	ctx := context.Background()
	if err := l.Put(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if len(sender.sizes) != 3 || sender.sizes[0] != 10 || sender.sizes[2] != 3 {
		t.Fatalf("SendBatch calls %v, want [10 10 3]", sender.sizes)
	}

	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	byID := map[string]bus.Record{}
	for len(byID) < len(evs) {
		msgs, err := q.Receive(ctx, url, 10, time.Second, 0)
		if err != nil || len(msgs) == 0 {
			t.Fatalf("received %d of %d (err %v)", len(byID), len(evs), err)
		}
		for _, m := range msgs {
			// The raw body has exactly the EventBridge target's fields.
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(m.Body), &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("body lacks %q: %s", k, m.Body)
				}
			}
			r, d, err := bus.ParseRecord([]byte(m.Body))
			if err != nil {
				t.Fatalf("ParseRecord(%s): %v", m.Body, err)
			}
			if r.Version != "0" || !uuid.MatchString(r.ID) || r.Account != emulator.AccountID || r.Region != emulator.Region ||
				r.Source != bus.DefaultSource || r.DetailType != "emailClick" || r.Resources == nil {
				t.Errorf("record %+v", r)
			}
			byID[d.ID] = r
			for _, e := range evs {
				if e.EventID == d.ID && string(d.Data) != string(e.Data) {
					t.Errorf("data %s, want %s byte for byte", d.Data, e.Data)
				}
			}
		}
	}
	if got := byID["evt_000"].Time; !got.Equal(now.Truncate(time.Second)) {
		t.Errorf("time of an event without one = %v, want the bus clock %v", got, now.Truncate(time.Second))
	}
	if got := byID["evt_005"].Time; !got.Equal(evs[5].Time) {
		t.Errorf("time = %v, want the producer's %v", got, evs[5].Time)
	}
}
