package fanout

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// slowQueue answers its first free SendBatch calls at once, then holds
// each later call until ctx is done and fails it, as the SDK does when
// the work is cut; it counts the deliveries it took per event.
type slowQueue struct {
	free    int
	mu      sync.Mutex
	calls   int
	byEvent map[string]int
}

func (q *slowQueue) SendBatch(ctx context.Context, _ string, msgs []queue.Message) (int, error) {
	q.mu.Lock()
	q.calls++
	held := q.calls > q.free
	q.mu.Unlock()
	if held {
		<-ctx.Done()
		return 1, ctx.Err()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range msgs {
		d, err := message.Decode(m.Body)
		if err != nil {
			return 1, err
		}
		q.byEvent[d.EventID]++
	}
	return 1, nil
}

func (q *slowQueue) Send(context.Context, string, queue.Message) error { return nil }

// Lambda ends the invocation at the context's deadline, and an answer after
// it is lost: every record comes back, the finished ones too. Handle stops
// starting records and sends short of the deadline and answers before it,
// reporting only the records not wholly fanned out.
func TestHandleAnswersBeforeTheDeadlineWithOnlyTheUnfinishedRecords(t *testing.T) {
	const endpoints = 20 // of about 60 KiB each: 4 a call, 5 calls per record
	// Two records' calls go at once; the third record's first call hangs
	// until the work is cut, as a send does on a slow network.
	q := &slowQueue{free: 10, byEvent: map[string]int{}}
	h := NewHandler(Deps{Webhooks: pagedStore{pages: []int{endpoints}}, Queue: q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: lanes.Lanes{"delivery"}, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	detail, err := json.Marshal(map[string]any{"organization_id": "org_a", "data": map[string]string{"s": strings.Repeat("x", 60*1024)}})
	if err != nil {
		t.Fatal(err)
	}
	var recs []events.SQSMessage
	eventOf := map[string]string{} // message id → event id
	for i := range 10 {
		r := bus.Record{ID: fmt.Sprintf("u%d", i), DetailType: "emailClick", Time: time.Now().UTC(), Detail: detail}
		recs = append(recs, record(t, fmt.Sprintf("r%d", i), r))
		eventOf[recs[i].MessageId], _ = eventIdentity(r, bus.Detail{})
	}
	// Seconds, not milliseconds: a loaded machine must not miss the
	// answer's window (the budget's margin is a sixth of it, 1 s here).
	deadline := time.Now().Add(6 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	resp, err := h.Handle(ctx, events.SQSEvent{Records: recs})
	if answered := time.Now(); err != nil || !answered.Before(deadline) {
		t.Fatalf("answered %v after the deadline, err %v", answered.Sub(deadline), err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	for i, rec := range recs {
		if want := i >= 2; failed[rec.MessageId] != want {
			t.Errorf("%s reported as failed: %v, want %v (the first two finished, the rest not)", rec.MessageId, failed[rec.MessageId], want)
		}
	}
	for _, rec := range recs {
		if sent := q.byEvent[eventOf[rec.MessageId]]; !failed[rec.MessageId] && sent != endpoints {
			t.Errorf("%s is reported done with %d of its %d deliveries sent", rec.MessageId, sent, endpoints)
		}
	}
}
