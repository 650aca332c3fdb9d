package delivery

import (
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
)

// gate keeps an endpoint that keeps timing out from holding the deliver
// function's batches: a batch ends when its slowest POST does, so one
// tenant's dead endpoint would otherwise occupy every invocation for the
// whole delivery timeout, again and again, while the other tenants' deliveries
// wait. After tripAfter timeouts in a row, deliveries to that webhook are deferred (put back
// with a visibility delay, no attempt counted) for a cool-down; then one
// probe at a time goes out until one answers within the timeout. The
// state is per process (per Lambda instance), which is enough to bound the
// cost: each instance pays for at most one probe per cool-down.
type gate struct {
	cool time.Duration
	mu   sync.Mutex
	eps  map[string]*endpoint
}

type endpoint struct {
	inflight  int
	timeouts  int       // consecutive timeouts
	suspect   bool      // tripAfter timeouts in a row, and no answer since
	slowUntil time.Time // no POST before this
}

// tripAfter consecutive timeouts make an endpoint one that keeps timing
// out; an endpoint that times out now and then is not deferred.
const tripAfter = 3

// maxGateEntries bounds the gate's memory; forgetting only loses history.
const maxGateEntries = 10000

func newGate(deliveryTimeout time.Duration) *gate {
	return &gate{cool: 3 * deliveryTimeout, eps: map[string]*endpoint{}}
}

// admit reports whether a delivery to webhook id may POST now; force
// admits it regardless (it was deferred often enough). Every admitted
// delivery must be followed by done.
func (g *gate) admit(id string, now time.Time, force bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.eps[id]
	if e == nil {
		if len(g.eps) >= maxGateEntries {
			g.eps = map[string]*endpoint{}
		}
		e = &endpoint{}
		g.eps[id] = e
	}
	if !force && (now.Before(e.slowUntil) || e.suspect && e.inflight > 0) {
		return false
	}
	e.inflight++
	return true
}

// done records how an admitted delivery's POST ended.
func (g *gate) done(id string, r result, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.eps[id]
	if e == nil {
		return // forgotten meanwhile
	}
	e.inflight = max(e.inflight-1, 0)
	switch {
	case r.class == ClassTimeout:
		if e.timeouts++; e.timeouts >= tripAfter {
			e.suspect, e.slowUntil = true, now.Add(g.cool)
		}
	case r.status != 0:
		e.suspect, e.timeouts = false, 0 // it answers within the timeout again
	}
}

// deferral is how long a deferred delivery waits: the cool-down, doubled
// for each earlier receive (so a long-dead endpoint's backlog spreads out
// instead of cycling), at most 8 cool-downs.
func (g *gate) deferral(receives int) time.Duration {
	return g.cool << min(max(receives-1, 0), 3)
}

// receivesOf is SQS's ApproximateReceiveCount (1 when absent).
func receivesOf(m events.SQSMessage) int {
	if n, err := strconv.Atoi(m.Attributes["ApproximateReceiveCount"]); err == nil && n > 0 {
		return n
	}
	return 1
}

// mustAttempt: a delivery deferred config.MaxDeferrals times is attempted
// on its next receive whatever the endpoint's state, so deferrals never
// outlast the queue's maxReceiveCount (which counts them).
func mustAttempt(m events.SQSMessage) bool { return receivesOf(m) > config.MaxDeferrals }
