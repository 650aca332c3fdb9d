package delivery

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// parkHook runs its race before the real park is written (the moment
// between deliver's consistent read of the webhook and its park), or
// right after it.
type parkHook struct {
	deliverylog.ParkedStore
	race        func()
	afterThePut bool
}

func (p parkHook) Park(ctx context.Context, d deliverylog.Parked) error {
	if !p.afterThePut {
		p.race()
	}
	err := p.ParkedStore.Park(ctx, d)
	if p.afterThePut {
		p.race()
	}
	return err
}

// A deliver that read its endpoint as disabled for failing, and parks the
// delivery only after a recover enabled the endpoint and read its parked
// deliveries to the end, must not leave it parked: no later recover is
// due (the endpoint is enabled), so it would stay there until its TTL.
// Either the recover queues it, or deliver POSTs it, once.
func TestAParkAfterTheRecoverIsNotStranded(t *testing.T) {
	for _, c := range []struct {
		name                string
		afterThePut         bool
		wantPosts, wantSent int
	}{
		// The recover read everything before the park: deliver POSTs it.
		{"recover before the park", false, 1, 0},
		// The recover read and queued the park before deliver checked
		// again: the recover's copy is the delivery; deliver's is done.
		{"recover between the park and the check", true, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) { parkRace(t, c.afterThePut, c.wantPosts, c.wantSent) })
	}
}

func parkRace(t *testing.T, afterThePut bool, wantPosts, wantSent int) {
	rc := newReceiver(t, false)
	recovered := &memQueue{}
	var res RecoverResult
	var he *healthEnv
	ran := false
	he = newHealthEnv(t, time.Hour, 1, func(d *Deps) {
		d.Parked = parkHook{ParkedStore: d.Parked, afterThePut: afterThePut, race: func() {
			if ran {
				return
			}
			ran = true
			// The tenant's recover, as the API runs it: enable, then requeue.
			ctx := context.Background()
			read := he.get(t, "wh_race")
			w := read
			w.Enabled, w.DisabledReason, w.UpdatedAt = true, "", he.now
			if err := he.store.Update(ctx, read, w); err != nil {
				t.Fatal(err)
			}
			r := Recovery{Parked: he.parked, Records: he.records, Queue: recovered, Lanes: lanes.Lanes{testQueue}}
			var err error
			if res, err = r.Requeue(ctx, w, he.now.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
		}}
	})
	he.raceDelivery(t, context.Background(), rc.srv.URL+"/status/204")
	if !ran {
		t.Fatalf("the delivery was never parked; the race did not happen: %d POSTs\n%s", rc.hits.Load(), he.logs.String())
	}
	left, _, err := he.parked.Since(context.Background(), "org_a", "wh_race", he.now.Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	posted, queued := int(rc.hits.Load()), len(recovered.sent)
	if posted != wantPosts || queued != wantSent || len(left) != 0 {
		t.Fatalf("after the recover (%+v): %d POSTs, %d queued by the recover, %d still parked at an enabled endpoint; want %d POSTs, %d queued, nothing parked",
			res, posted, queued, len(left), wantPosts, wantSent)
	}
}

// raceDelivery creates wh_race at url, disabled for failing as deliver
// disables it, and handles a delivery to it as SQS brings it back until
// the handler consumes it: the first receive under ctx.
func (he *healthEnv) raceDelivery(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	he.create(t, "wh_race", url, true)
	if _, err := he.store.RecordFailure(context.Background(), "org_a", "wh_race", he.now.Add(-2*time.Hour), he.now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := he.store.DisableFailing(context.Background(), "org_a", "wh_race", he.now, webhook.Threshold{After: time.Hour, MinFailures: 1}); !ok || err != nil {
		t.Fatalf("disable: %v, %v", ok, err)
	}
	m := sqsMessage(t, "org_a", "wh_race", "evt_1")
	var consumed bool
	for receive := 1; !consumed; receive++ {
		if receive > 3 {
			t.Fatal("the message was never consumed")
		}
		m.Attributes = map[string]string{"ApproximateReceiveCount": strconv.Itoa(receive)}
		resp, err := he.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
		if err != nil {
			t.Fatal(err)
		}
		consumed = len(resp.BatchItemFailures) == 0
		ctx = context.Background()
	}
}
