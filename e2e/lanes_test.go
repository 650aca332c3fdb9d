package e2e

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// TestAHangingTenantHoldsOnlyItsOwnLane: tenant A's endpoint hangs until
// the test lets it go (the delivery timeout is longer than the test), and A
// publishes until every deliver worker of its lane holds a batch waiting on
// it. Tenant B, on another lane, still gets its event while they all wait:
// with one shared delivery queue it would wait for A's timeouts.
func TestAHangingTenantHoldsOnlyItsOwnLane(t *testing.T) { hangingTenant(t, false) }

// TestAHangingTenantDoesNotHoldTheTenantsOfItsLane: the same with B's home
// lane A's. A has sent that lane more than a full batch, so fan-out sends
// B's delivery around it (lanes.Chooser); with home lanes only, B would wait
// behind every worker A holds.
func TestAHangingTenantDoesNotHoldTheTenantsOfItsLane(t *testing.T) { hangingTenant(t, true) }

func hangingTenant(t *testing.T, sameLane bool) {
	const workers = 4
	env := testEnv()
	env[config.EnvDeliveryTimeout] = (2 * lambdaPatience).String()
	busy := &laneInvocations{n: map[string]int{}}
	s := startTestStack(t, devrun.Options{Env: env, DeliverConcurrency: workers, WrapDeliver: busy.wrap})
	release := make(chan struct{})
	var releaseOnce sync.Once
	hanging := newReceiver(t, func(_ int, r *http.Request, _ []byte) answer {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return status(http.StatusOK)
	})
	// Before the receiver's own cleanup, which waits for its requests.
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	fast := newReceiver(t, nil)

	b := newTenant(t, s, "b")
	a := tenantOnLane(t, s, "a", b.org, sameLane)
	aLane := s.Config.DeliveryQueues.For(a.org)
	a.createWebhook(hanging.url("/a"), "emailClick")
	b.createWebhook(fast.url("/b"), "emailClick")
	published := 0
	testenv.WaitFor(t, lambdaPatience, "every deliver worker of A's lane waiting on A's endpoint", func() bool {
		if busy.on(aLane) == workers && published >= lanes.Heavy {
			return true
		}
		a.publish("emailClick", clickData)
		published++
		return false
	})

	b.publish("emailClick", clickData)
	testenv.WaitFor(t, lambdaPatience, "B's delivery while A's lane is held", func() bool { return fast.count() == 1 })
	if n := busy.on(aLane); n != workers {
		t.Fatalf("%d of A's lane's workers busy when B's delivery arrived, want all %d: the test proved nothing", n, workers)
	}
	for _, h := range hanging.all() {
		if h.answered != 0 {
			t.Fatalf("one of A's POSTs was answered (%d) before B's delivery: the test proved nothing", h.answered)
		}
	}
	releaseOnce.Do(func() { close(release) })
	testenv.WaitFor(t, lambdaPatience, "A's lane free again", func() bool { return busy.on(aLane) == 0 })
}

// laneInvocations counts the deliver invocations in flight per lane (the
// queue URL the local poller names as each record's event source).
type laneInvocations struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *laneInvocations) wrap(h queue.Handler) queue.Handler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		lane := ""
		if len(ev.Records) > 0 {
			lane = ev.Records[0].EventSourceARN
		}
		l.add(lane, 1)
		defer l.add(lane, -1)
		return h(ctx, ev)
	}
}

func (l *laneInvocations) add(lane string, d int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[lane] += d
}

func (l *laneInvocations) on(lane string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[lane]
}

// tenantOnLane makes a tenant whose deliveries share other's delivery lane
// (same) or use another one: organization ids are random, so it draws until
// one falls where asked.
func tenantOnLane(t testing.TB, s *stack, label, other string, same bool) *tenant {
	t.Helper()
	l := s.Config.DeliveryQueues
	if len(l) != lanes.Count {
		t.Fatalf("%d delivery lanes, want %d", len(l), lanes.Count)
	}
	for {
		tn := newTenant(t, s, label)
		if (l.For(tn.org) == l.For(other)) == same {
			return tn
		}
	}
}
