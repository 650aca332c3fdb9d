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
