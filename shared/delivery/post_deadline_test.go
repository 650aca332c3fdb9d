package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/netguard"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// slowGetter is a webhook store whose read returns when the invocation
// has only left before its deadline (a throttled table whose SDK retries
// back off).
type slowGetter struct {
	next WebhookGetter
	left time.Duration
}

func (g slowGetter) Get(ctx context.Context, org, id string) (webhook.Webhook, error) {
	if dl, ok := ctx.Deadline(); ok {
		select {
		case <-time.After(time.Until(dl.Add(-g.left))):
		case <-ctx.Done():
		}
	}
	return g.next.Get(ctx, org, id)
}

// slowEndpoint answers 200 after delay, or gives up when the request is
// cut; requests counts the requests it got.
func slowEndpoint(t *testing.T, delay time.Duration, requests *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case <-time.After(delay):
			w.WriteHeader(http.StatusOK)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// handleBy runs m in an invocation with the given time left, checks that
// it is left for the next receive, and returns how late after the
// deadline the handler answered (negative: before it).
func handleBy(t *testing.T, e *env, m events.SQSMessage, left time.Duration) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), left)
	defer cancel()
	deadline, _ := ctx.Deadline()
	resp, err := e.h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{m}})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("handle: %+v, %v; want the message left for the next receive", resp.BatchItemFailures, err)
	}
	return time.Since(deadline)
}

// A POST is not started when the invocation's time left cannot hold its
// delivery timeout and the bookkeeping after it: the message is left for
// the next receive with no attempt counted, none logged, and no strike at
// the endpoint gate (three would have deferred a healthy endpoint).
func TestNoPOSTStartsNearTheInvocationDeadline(t *testing.T) {
	var requests atomic.Int32
	srv := slowEndpoint(t, 300*time.Millisecond, &requests)
	// The read holds until 8 s are left: already short of the 10 s a POST
	// needs (delivery timeout and reserve), with seconds to spare for the
	// handler to answer on a loaded machine.
	e := newEnv(t, testConfig(), func(d *Deps) { d.Webhooks = slowGetter{next: d.Webhooks, left: 8 * time.Second} })
	e.webhooks.put(webhook.Webhook{ID: "wh_ok", OrgID: "org_a", URL: srv.URL + "/hook", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_ok", "evt_1")
	for receive := 1; receive <= tripAfter; receive++ {
		if late := handleBy(t, e, received(m, receive), 9*time.Second); late > 0 {
			t.Fatalf("the handler answered %v after the invocation's deadline", late)
		}
	}
	if n, as := requests.Load(), e.attempts.list(); n != 0 || len(as) != 0 || e.records.saves != 0 {
		t.Fatalf("near the deadline: %d requests, attempt log %+v, %d record saves; want none", n, as, e.records.saves)
	}
	// No strike at the gate: the next receive with time enough POSTs it,
	// as its first attempt.
	e.h.d.Webhooks = e.webhooks
	resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(m, tripAfter+1)}})
	as := e.attempts.list()
	if err != nil || len(resp.BatchItemFailures) != 0 || len(as) != 1 || as[0].Attempt != 1 || as[0].Outcome != deliverylog.OutcomeDelivered {
		t.Fatalf("with time enough: failures %+v, %v, attempt log %+v; want attempt 1 delivered", resp.BatchItemFailures, err, as)
	}
}

// A POST the invocation's deadline cut (not the delivery timeout) is not
// the endpoint's timeout: it is not counted, not logged as an attempt and
// not a strike at the gate; the message comes back for the next receive.
func TestAPOSTCutByTheInvocationDeadlineIsNotCounted(t *testing.T) {
	var requests atomic.Int32
	srv := slowEndpoint(t, 3*time.Second, &requests)
	cfg := testConfig()
	cfg.DeliveryTimeout = 100 * time.Millisecond
	e := newEnv(t, cfg, func(d *Deps) {
		// The endpoint's own timeout is longer than the invocation has:
		// only the invocation's deadline can cut the POST.
		d.Client = netguard.NewClient(netguard.Options{Timeout: 10 * time.Second, AllowLoopback: true})
	})
	// No bookkeeping reserve: a POST starts unless under 100 ms are left,
	// so each invocation's 2 s leave the reads before it 1.9 s, time
	// enough on a starved machine, and the deadline, not the endpoint,
	// cuts every POST.
	e.h.reserve = 0
	e.webhooks.put(webhook.Webhook{ID: "wh_ok", OrgID: "org_a", URL: srv.URL + "/hook", Enabled: true})
	m := sqsMessage(t, "org_a", "wh_ok", "evt_1")
	for receive := 1; receive <= tripAfter; receive++ {
		handleBy(t, e, received(m, receive), 2*time.Second)
	}
	if n, as := requests.Load(), e.attempts.list(); n != tripAfter || len(as) != 0 || e.records.saves != 0 {
		t.Fatalf("POSTs cut by the deadline: %d requests, attempt log %+v, %d record saves; want %d and none", n, as, e.records.saves, tripAfter)
	}
	e.h.gate.mu.Lock()
	ep := e.h.gate.eps["wh_ok"]
	e.h.gate.mu.Unlock()
	if ep != nil && (ep.timeouts != 0 || ep.suspect) {
		t.Fatalf("gate after the cut POSTs: %+v; want no timeout counted", *ep)
	}
}
