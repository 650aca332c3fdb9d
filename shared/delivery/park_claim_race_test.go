package delivery

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// heldSend holds the recover's send (made while it holds its claim)
// until release closes.
type heldSend struct {
	*memQueue
	sending chan struct{}
	release chan struct{}
}

func (b *heldSend) Send(ctx context.Context, url string, m queue.Message) error {
	close(b.sending)
	<-b.release
	return b.memQueue.Send(ctx, url, m)
}

// takeBackHook runs after once deliver's first take-back of its park
// has answered.
type takeBackHook struct {
	deliverylog.ParkedStore
	after func()
}

func (h takeBackHook) TakeBack(ctx context.Context, p deliverylog.Parked) (bool, time.Duration, error) {
	removed, claimedFor, err := h.ParkedStore.TakeBack(ctx, p)
	h.after()
	return removed, claimedFor, err
}

// A deliver parks, a recover enables the endpoint, reads the park and
// claims it, and deliver's check sees the enable and tries to take its
// park back while the recover is sending it. Either the recover queues
// it, or deliver POSTs it, once; a recover that stopped holding its claim
// leaves it parked for the next recover, which queues it.
func TestAParkTheRecoverHoldsIsSentOnce(t *testing.T) {
	for _, c := range []struct {
		name      string
		sendFails bool // the recover's send fails: it releases its claim
		stops     bool // the recover's function is killed holding its claim
		wantPosts int
		wantSent  int
	}{
		{"the recover sends it", false, false, 0, 1},
		{"the recover's send fails", true, false, 1, 0},
		{"the recover stops holding its claim", false, true, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) { claimRace(t, c.sendFails, c.stops, c.wantPosts, c.wantSent) })
	}
}

func claimRace(t *testing.T, sendFails, stops bool, wantPosts, wantSent int) {
	rc := newReceiver(t, false)
	recovered := &memQueue{failSend: sendFails}
	held := &heldSend{memQueue: recovered, sending: make(chan struct{}), release: make(chan struct{})}
	ctx, stopDeliver := context.WithCancel(context.Background())
	defer stopDeliver()
	var he *healthEnv
	var raced sync.Once
	var recovering sync.WaitGroup
	defer recovering.Wait()
	recoverDone := make(chan RecoverResult, 1)
	afterTakeBack := sync.OnceFunc(func() {
		if stops {
			stopDeliver() // deliver's invocation ends while it waits for the claim
			return
		}
		close(held.release)
	})
	defer afterTakeBack() // before the wait: a test that fails early lets the recover end
	he = newHealthEnv(t, time.Hour, 1, func(d *Deps) {
		race := parkHook{ParkedStore: d.Parked, afterThePut: true, race: func() {
			raced.Do(func() {
				read := he.get(t, "wh_race")
				w := read
				w.Enabled, w.DisabledReason, w.UpdatedAt = true, "", he.now
				if err := he.store.Update(context.Background(), read, w); err != nil {
					t.Error(err)
					return
				}
				if stops { // claimed, never sent: the function was killed
					ps, _, err := he.parked.Since(context.Background(), "org_a", "wh_race", he.now.Add(-time.Hour), 10)
					if err != nil || len(ps) != 1 {
						t.Errorf("parked: %v, %v", ps, err)
						return
					}
					if claimed, err := he.parked.Claim(context.Background(), ps[0], parkedClaim); !claimed || err != nil {
						t.Errorf("claim: %v, %v", claimed, err)
					}
					return
				}
				recovering.Go(func() {
					r := Recovery{Parked: he.parked, Records: he.records, Queue: held, Lanes: lanes.Lanes{testQueue}}
					res, err := r.Requeue(context.Background(), w, he.now.Add(-time.Hour))
					if err != nil && !sendFails {
						t.Error(err)
					}
					recoverDone <- res
				})
				<-held.sending // the recover holds its claim and is sending
			})
		}}
		d.Parked = takeBackHook{ParkedStore: race, after: afterTakeBack}
	})
	he.raceDelivery(t, ctx, rc.srv.URL+"/status/204")
	afterTakeBack() // if deliver never tried: let the recover finish
	var res RecoverResult
	if stops {
		// The next recover, after the claim ran out.
		he.parked.Now = func() time.Time { return he.now.Add(parkedClaim) }
		r := Recovery{Parked: he.parked, Records: he.records, Queue: recovered, Lanes: lanes.Lanes{testQueue}}
		var err error
		if res, err = r.Requeue(context.Background(), he.get(t, "wh_race"), he.now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	} else {
		res = <-recoverDone
	}
	left, _, err := he.parked.Since(context.Background(), "org_a", "wh_race", he.now.Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	posted, queued := int(rc.hits.Load()), len(recovered.sent)
	if posted != wantPosts || queued != wantSent || len(left) != 0 {
		t.Fatalf("recover %+v: deliver POSTed it %d time(s), the recover queued it %d time(s), %d still parked; want %d POSTs, %d queued, nothing parked\n%s",
			res, posted, queued, len(left), wantPosts, wantSent, he.logs.String())
	}
}
