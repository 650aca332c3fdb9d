package delivery

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/netguard"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func TestGateDefersAnEndpointThatTimesOut(t *testing.T) {
	g := newGate(10 * time.Second)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for range 3 {
		if !g.admit("wh_a", now, false) {
			t.Fatal("an endpoint with no history is not limited")
		}
	}
	// An endpoint that times out now and then is not deferred.
	g.done("wh_a", result{class: ClassTimeout}, now.Add(10*time.Second))
	g.done("wh_a", result{status: 200}, now.Add(10*time.Second))
	g.done("wh_a", result{class: ClassTimeout}, now.Add(10*time.Second))
	if !g.admit("wh_a", now.Add(10*time.Second), false) {
		t.Fatal("one timeout after an answer deferred the endpoint")
	}
	g.done("wh_a", result{class: ClassTimeout}, now.Add(10*time.Second))
	g.admit("wh_a", now.Add(10*time.Second), false)
	g.done("wh_a", result{class: ClassTimeout}, now.Add(10*time.Second)) // the third in a row
	if g.admit("wh_a", now.Add(39*time.Second), false) {
		t.Fatal("admitted during the cool-down (3 × the delivery timeout)")
	}
	if !g.admit("wh_b", now.Add(39*time.Second), false) {
		t.Fatal("another endpoint is held back by wh_a")
	}
	if !g.admit("wh_a", now.Add(39*time.Second), true) {
		t.Fatal("a forced delivery was refused")
	}
	g.done("wh_a", result{class: ClassTimeout}, now.Add(40*time.Second))
	// After the cool-down: one probe at a time.
	later := now.Add(71 * time.Second)
	// Two admits in a row on purpose: admit takes the probe slot.
	if first, second := g.admit("wh_a", later, false), g.admit("wh_a", later, false); !first || second {
		t.Fatal("want exactly one probe while the endpoint is suspect")
	}
	g.done("wh_a", result{status: 500}, later.Add(time.Second)) // answered within the timeout
	if first, second := g.admit("wh_a", later.Add(time.Second), false), g.admit("wh_a", later.Add(time.Second), false); !first || !second {
		t.Fatal("an endpoint that answers again is not limited")
	}
	if got := []time.Duration{g.deferral(1), g.deferral(2), g.deferral(4), g.deferral(20)}; got[0] != 30*time.Second ||
		got[1] != time.Minute || got[2] != 4*time.Minute || got[3] != 4*time.Minute {
		t.Fatalf("deferrals %v, want 30s doubling per receive up to 8 cool-downs", got)
	}
}

// The handler: after a timeout, the next delivery to that endpoint does
// not POST, counts no attempt and comes back after the cool-down; one
// deferred MaxDeferrals times is attempted anyway.
func TestHandlerDefersDeliveriesToAnEndpointThatTimesOut(t *testing.T) {
	rc := newReceiver(t, false)
	// Delivery timeout 500 ms: cool-down 1.5 s. The clock stands still, so
	// a slow machine cannot outlast the cool-down between the two handles.
	start := time.Now()
	cfg := testConfig()
	cfg.DeliveryTimeout = 500 * time.Millisecond
	// The POSTs are counted where the handler sends them: one that a
	// stalled machine had not brought to the receiver within the 500 ms is
	// a timeout all the same, yet the receiver never saw it.
	posts := &postCounter{}
	e := newEnv(t, cfg, func(d *Deps) {
		d.Now = func() time.Time { return start }
		d.Client = netguard.NewClient(netguard.Options{Timeout: cfg.DeliveryTimeout, AllowLoopback: true})
		posts.next, d.Client.Transport = d.Client.Transport, posts
	})
	e.webhooks.put(webhook.Webhook{ID: "wh_slow", OrgID: "org_a", URL: rc.srv.URL + "/slow", Enabled: true})
	handle := func(m events.SQSMessage) {
		t.Helper()
		if resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}}); len(resp.BatchItemFailures) != 1 {
			t.Fatalf("%s: failures %v, want the message kept", m.MessageId, resp.BatchItemFailures)
		}
	}
	for _, ev := range []string{"evt_1", "evt_2", "evt_3"} { // three timeouts in a row
		handle(sqsMessage(t, "org_a", "wh_slow", ev))
	}
	second := sqsMessage(t, "org_a", "wh_slow", "evt_4")
	handle(second)
	if posts.n.Load() != 3 {
		t.Fatalf("%d POSTs, want the fourth delivery deferred", posts.n.Load())
	}
	if rec := e.records.get(deliveryIDOf(t, second)); rec.Attempts != 0 {
		t.Fatalf("a deferral counted attempt %d", rec.Attempts)
	}
	if v := e.queue.visibility[len(e.queue.visibility)-1]; v.receipt != second.ReceiptHandle || v.delay != 1650*time.Millisecond {
		t.Fatalf("deferral visibility %+v, want the cool-down 1.5 s + 10 %%", v)
	}
	second.Attributes = map[string]string{"ApproximateReceiveCount": strconv.Itoa(config.MaxDeferrals + 1)}
	handle(second)
	if posts.n.Load() != 4 || e.records.get(deliveryIDOf(t, second)).Attempts != 1 {
		t.Fatalf("after %d deferrals: %d POSTs, want the delivery attempted", config.MaxDeferrals, posts.n.Load())
	}
}

// postCounter counts the requests a client sends through it.
type postCounter struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *postCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// A deferral never ends past the retry budget: the force check compares
// the budget with the wait it would set, jitter included. The test's
// jitter is the full 10 %, so with a 5 s timeout the deferral is 15 s and
// the wait 16.5 s.
func TestDeferralWithItsJitterStaysWithinTheRetryBudget(t *testing.T) {
	rc := newReceiver(t, false)
	now := time.Now()
	e := newEnv(t, testConfig(), func(d *Deps) { d.Now = func() time.Time { return now } })
	e.webhooks.put(webhook.Webhook{ID: "wh_slow", OrgID: "org_a", URL: rc.srv.URL + "/status/200", Enabled: true, AllEvents: true})
	for range tripAfter {
		e.h.gate.admit("wh_slow", now, true)
		e.h.gate.done("wh_slow", result{class: ClassTimeout}, now)
	}
	for _, c := range []struct {
		event    string
		left     time.Duration // of the retry budget at the receive
		deferred bool
	}{
		{"evt_1", 20 * time.Second, true},  // 16.5 s fit: deferred
		{"evt_2", 16 * time.Second, false}, // 15 s would fit, 16.5 s not: attempted
	} {
		m := sqsMessage(t, "org_a", "wh_slow", c.event)
		sent := now.Add(-config.RetryBudget + c.left)
		m.Attributes = map[string]string{"SentTimestamp": strconv.FormatInt(sent.UnixMilli(), 10), "ApproximateReceiveCount": "1"}
		deferrals, hits := len(e.queue.visibility), rc.hits.Load()
		resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
		if err != nil {
			t.Fatal(err)
		}
		if !c.deferred {
			if len(e.queue.visibility) != deferrals || rc.hits.Load() != hits+1 || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("%s, %s of budget left: deferred %v, POSTs %d, want it attempted and delivered",
					c.event, c.left, e.queue.visibility[deferrals:], rc.hits.Load()-hits)
			}
			continue
		}
		if len(e.queue.visibility) != deferrals+1 || rc.hits.Load() != hits {
			t.Fatalf("%s, %s of budget left: %d deferrals, %d POSTs, want it deferred", c.event, c.left, len(e.queue.visibility)-deferrals, rc.hits.Load()-hits)
		}
		if v := e.queue.visibility[deferrals]; v.delay != 16500*time.Millisecond || now.Add(v.delay).After(sent.Add(config.RetryBudget)) {
			t.Fatalf("%s deferred %s with %s of budget left, want 16.5 s within it", c.event, v.delay, c.left)
		}
	}
}
