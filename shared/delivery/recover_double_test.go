package delivery

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Two recovers at once (a double click on Recover) queue each parked
// delivery once between them: each claims a delivery before sending it.
func TestConcurrentRecoversQueueEachParkedDeliveryOnce(t *testing.T) {
	db, table := testenv.Table(t)
	parked := dynamo.NewParkedStore(db, table, time.Hour)
	records := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	const n = 50
	parkMany(t, parked, n, t0)
	q := &memQueue{}
	r := Recovery{Parked: parked, Records: records, Queue: q, Lanes: lanes.Lanes{testQueue}}
	w := webhook.Webhook{ID: "wh_1", OrgID: "org_a", Enabled: true}
	var wg sync.WaitGroup
	var res [2]RecoverResult
	var errs [2]error
	for i := range 2 {
		wg.Go(func() { res[i], errs[i] = r.Requeue(ctx, w, t0) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("recovers: %v, %v", errs[0], errs[1])
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	seen := map[string]int{}
	for _, s := range q.sent {
		seen[s.msg.Body]++
	}
	if len(q.sent) != n || len(seen) != n || res[0].Parked+res[1].Parked != n {
		t.Fatalf("answered %d and %d queued; %d sends of %d distinct deliveries, want each of the %d once", res[0].Parked, res[1].Parked, len(q.sent), len(seen), n)
	}
	if left, _, err := parked.Since(ctx, "org_a", "wh_1", time.Time{}, n); err != nil || len(left) != 0 {
		t.Fatalf("%d still parked (%v)", len(left), err)
	}
}

// A recover whose send fails releases its claim, so the tenant's retry at
// once queues every parked delivery; a recover that skips a delivery
// another holds answers more, never done while one is still parked.
func TestAFailedRecoverLeavesNothingHiddenFromTheRetry(t *testing.T) {
	db, table := testenv.Table(t)
	parked := dynamo.NewParkedStore(db, table, time.Hour)
	records := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	parkMany(t, parked, 3, t0)
	q := &memQueue{failSend: true}
	r := Recovery{Parked: parked, Records: records, Queue: q, Lanes: lanes.Lanes{testQueue}}
	w := webhook.Webhook{ID: "wh_1", OrgID: "org_a", Enabled: true}
	if _, err := r.Requeue(ctx, w, t0); err == nil {
		t.Fatal("a recover whose send failed answered no error")
	}
	q.mu.Lock()
	q.failSend = false
	q.mu.Unlock()
	res, err := r.Requeue(ctx, w, t0)
	if left, _, lerr := parked.Since(ctx, "org_a", "wh_1", time.Time{}, 10); err != nil || lerr != nil || res.Parked != 3 || len(left) != 0 {
		t.Fatalf("the retry: %+v, %v; %d still parked (%v); want all 3 queued", res, err, len(left), lerr)
	}

	// A delivery another recover holds is skipped with more.
	parkMany(t, parked, 2, t0)
	held, _, err := parked.Since(ctx, "org_a", "wh_1", time.Time{}, 10)
	if err != nil || len(held) != 2 {
		t.Fatalf("parked again: %d, %v", len(held), err)
	}
	if ok, err := parked.Claim(ctx, held[0], time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v, %v", ok, err)
	}
	if res, err := r.Requeue(ctx, w, t0); err != nil || res.Parked != 1 || !res.More {
		t.Fatalf("with one delivery held by another recover: %+v, %v; want 1 queued and more", res, err)
	}
}
