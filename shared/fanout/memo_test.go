package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// countingStore counts lookups per org and fails the ones listed in fail
// (by 1-based call number).
type countingStore struct {
	pagedStore
	calls map[string]int
	total int
	fail  map[int]bool
}

func (c *countingStore) ForEachSubscribed(ctx context.Context, org, name string, fn func([]webhook.Webhook) error) error {
	c.total++
	c.calls[org]++
	if c.fail[c.total] {
		return errors.New("dynamodb unavailable")
	}
	return c.pagedStore.ForEachSubscribed(ctx, org, name, fn)
}

// The records of one invocation for the same org and type share one
// lookup; every record still gets a delivery per webhook, on every page.
// A failed lookup is not remembered: the next record asks again.
func TestAnInvocationLooksUpEachOrgAndTypeOnce(t *testing.T) {
	at := time.Now().UTC()
	rec := func(id, org string) events.SQSMessage {
		return record(t, id, bus.Record{ID: "u" + id, DetailType: "emailClick", Time: at,
			Detail: json.RawMessage(`{"organization_id":"` + org + `","data":{}}`)})
	}
	var recs []events.SQSMessage
	for i := range 6 {
		recs = append(recs, rec(fmt.Sprint(i), "org_a"))
	}
	recs = append(recs, rec("b", "org_b"))
	store := &countingStore{pagedStore: pagedStore{pages: []int{2, 1}}, calls: map[string]int{}, fail: map[int]bool{1: true}}
	q := &recordingQueue{}
	h := NewHandler(Deps{
		Webhooks: store, Queue: q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: lanes.Lanes{"delivery"}, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	resp, _ := h.Handle(context.Background(), events.SQSEvent{Records: recs})
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "0" {
		t.Fatalf("failures %+v, want record 0 alone (its lookup failed)", resp.BatchItemFailures)
	}
	if store.calls["org_a"] != 2 || store.calls["org_b"] != 1 {
		t.Fatalf("lookups %v, want org_a twice (the failed one, then one for records 1-5) and org_b once", store.calls)
	}
	perEvent := map[string]int{}
	for _, batch := range q.batches {
		for _, m := range batch {
			d, err := message.Decode(m.Body)
			if err != nil {
				t.Fatal(err)
			}
			perEvent[d.EventID]++
		}
	}
	if len(perEvent) != 6 {
		t.Fatalf("deliveries for %d events, want 6 (records 1-5 and b)", len(perEvent))
	}
	for id, n := range perEvent {
		if n != 3 {
			t.Errorf("event %s: %d deliveries, want 3 (one per webhook over both pages)", id, n)
		}
	}
}
