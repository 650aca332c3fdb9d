package delivery

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// slowAfter is a memQueue whose send number slowFrom takes until the
// given time: the call's time runs out while it queues that delivery.
type slowAfter struct {
	*memQueue
	slowFrom int
	until    time.Time
	sends    int
}

func (q *slowAfter) Send(ctx context.Context, url string, m queue.Message) error {
	q.sends++
	if q.sends == q.slowFrom {
		<-time.After(time.Until(q.until)) // the slow AWS call itself
	}
	return q.memQueue.Send(ctx, url, m)
}

// A recover whose caller's deadline comes while it queues parked
// deliveries stops short of it with what it queued and more (not an
// error, which the API would answer with a 500 after enabling the
// endpoint), finishing the delivery in hand; the next call queues each
// of the rest once.
func TestRequeueStopsBeforeItsDeadlineSayingMore(t *testing.T) {
	db, table := testenv.Table(t)
	parked := dynamo.NewParkedStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	const n = 30
	parkMany(t, parked, n, t0)
	// The stage's own time (3 s) need only hold one query and one claim
	// before the slow send: dynalite on a loaded machine fits that, where
	// ten deliveries' writes were a race.
	dctx, cancel := context.WithTimeout(ctx, parkedReserve+3*time.Second)
	defer cancel()
	deadline, _ := dctx.Deadline()
	// The first send lasts until the parked stage's own deadline is past.
	q := &slowAfter{memQueue: &memQueue{}, slowFrom: 1, until: deadline.Add(-parkedReserve + 50*time.Millisecond)}
	r := Recovery{Parked: parked, Records: newMemRecords(), Queue: q, Lanes: lanes.Lanes{testQueue}}
	w := webhook.Webhook{ID: "wh_1", OrgID: "org_a", Enabled: true}
	res, err := r.Requeue(dctx, w, t0)
	if err != nil || res != (RecoverResult{Queued: 1, Parked: 1, More: true}) {
		t.Fatalf("cut short by its deadline: %+v, %v; want the one in hand queued and more", res, err)
	}
	if dctx.Err() != nil {
		t.Fatalf("answered after the caller's deadline")
	}
	res, err = r.Requeue(ctx, w, t0)
	if err != nil || res != (RecoverResult{Queued: n - 1, Parked: n - 1}) {
		t.Fatalf("next call %+v, %v; want the other %d", res, err, n-1)
	}
	seen := map[string]int{}
	for _, s := range q.sent {
		seen[s.msg.Body]++
	}
	if len(q.sent) != n || len(seen) != n {
		t.Fatalf("%d sends of %d distinct deliveries, want each of the %d once", len(q.sent), len(seen), n)
	}
}

// parkMany parks n deliveries of org_a's wh_1, sent a millisecond apart
// from t0 and parked a minute after it.
func parkMany(t *testing.T, parked *dynamo.ParkedStore, n int, t0 time.Time) {
	t.Helper()
	for i := range n {
		m := sqsMessage(t, "org_a", "wh_1", fmt.Sprintf("evt_%04d", i))
		d, _ := message.Decode(m.Body)
		if err := parked.Park(context.Background(), deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: d.DeliveryID, SentAt: t0.Add(time.Duration(i) * time.Millisecond), ParkedAt: t0.Add(time.Minute), Message: m.Body}); err != nil {
			t.Fatal(err)
		}
	}
}
