package delivery

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/netguard"
	"github.com/hookrelay/hookrelay/shared/signing"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Handler processes delivery queue batches.
type Handler struct {
	d       Deps
	cfg     config.Config
	client  *http.Client
	log     *slog.Logger
	now     func() time.Time
	jitter  func(time.Duration) time.Duration
	version string
	gate    *gate
	// reserve is the time a POST leaves the invocation for the bookkeeping
	// after it: postReserve, or the delivery timeout when shorter (make
	// dev's invocations last 5 delivery timeouts, not 20 s more).
	reserve time.Duration
}

// NewHandler fills the defaults of d.
func NewHandler(d Deps) *Handler {
	h := &Handler{d: d, cfg: d.Config, client: d.Client, log: d.Logger, now: d.Now, jitter: d.Jitter, version: d.Version,
		gate: newGate(d.Config.DeliveryTimeout), reserve: min(postReserve, d.Config.DeliveryTimeout)}
	if h.client == nil {
		h.client = netguard.NewClient(netguard.Options{
			Timeout: d.Config.DeliveryTimeout, AllowLoopback: d.Config.AllowLoopback, DeniedLoopbackPorts: d.Config.DeniedLoopbackPorts,
		})
	}
	if h.log == nil {
		h.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.jitter == nil {
		h.jitter = randomJitter
	}
	if h.version == "" {
		h.version = signing.DefaultVersion()
	}
	return h
}

// Handle processes the batch's messages in parallel and reports the ones
// to retry as batch item failures; the event source mapping deletes the
// others. It never returns an error: that would retry the whole batch,
// re-POSTing deliveries that succeeded.
//
// An at-least-once receive can hand one message over twice in a batch.
// Run side by side, both copies would POST, count at the endpoint's health
// and be dead-lettered; and the event source knows a message by its id
// alone, so both copies share one report anyway. The message is processed
// once, and reported once, as its latest receive: SQS honours only the
// latest receipt handle, so a retry's visibility change through an earlier
// one might not take effect.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	unique := make([]events.SQSMessage, 0, len(ev.Records))
	at := make(map[string]int, len(ev.Records)) // message id → its index in unique
	for _, m := range ev.Records {
		i, seen := at[m.MessageId]
		if !seen {
			at[m.MessageId] = len(unique)
			unique = append(unique, m)
			continue
		}
		h.log.WarnContext(ctx, "message twice in one batch: handled once", "message_id", m.MessageId)
		if receivesOf(m) >= receivesOf(unique[i]) {
			unique[i] = m
		}
	}
	failed := make([]bool, len(unique))
	var wg sync.WaitGroup
	for i, m := range unique {
		wg.Go(func() { failed[i] = !h.processSafely(ctx, m) })
	}
	wg.Wait()
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: unique[i].MessageId})
		}
	}
	return resp, nil
}

// processSafely confines a panic to its message, which is then retried.
func (h *Handler) processSafely(ctx context.Context, m events.SQSMessage) (done bool) {
	defer func() {
		if r := recover(); r != nil {
			h.log.ErrorContext(ctx, "panic while delivering", "message_id", m.MessageId, "panic", fmt.Sprint(r))
			done = false
		}
	}()
	return h.process(ctx, m)
}

// job is one delivery message on its way through process: each step
// fills in what the steps after it need.
type job struct {
	m        events.SQSMessage
	d        message.Delivery
	w        webhook.Webhook // its webhook, as read for this receive
	once     bool            // a single attempt, whatever it gives (decision.once)
	received time.Time       // when SQS's visibility limit for this receive started
	u        *url.URL        // the URL to POST to, when the guard accepts it
	urlErr   error           // why the guard refused it
	active   []string        // the signing secrets
	n        int             // the attempt's number
	prior    record          // the delivery record before it
	spent    bool            // attempt n was made on an earlier receive (number)
	at       time.Time       // when attempt n is made
	posted   result          // what the POST gave, for the endpoint gate (zero: no POST)
}

// process handles one message; false means "report as a batch item
// failure". A delivery's path, top to bottom: route (decode, read the
// webhook, skip, park or go on), the URL guard, admit (the endpoint gate)
// and the signing secrets, number (which attempt this is), attempt (the
// POST) and settle (carry out and record what the result decides).
func (h *Handler) process(ctx context.Context, m events.SQSMessage) bool {
	// SQS's visibility limit counts from the receive: the event source
	// may have held the message for its batching window (up to 5 min)
	// before this invocation.
	received := h.now().Add(-h.cfg.DeliverBatchWindow)
	j, done := h.route(ctx, m)
	if j == nil {
		return done
	}
	j.received = received
	// A URL the guard refuses is not POSTed: its attempt is settled as
	// invalid_url, with no turn at the endpoint gate and no secrets.
	j.u, j.urlErr = netguard.ValidateURL(j.w.URL, h.cfg.AllowLoopback)
	if j.urlErr == nil {
		if wait, admitted := h.admit(j); !admitted {
			return h.deferDelivery(ctx, m, j.d, wait)
		}
		// In flight at the gate until the message is settled, whichever
		// way process leaves from here.
		defer func() { h.gate.done(j.d.WebhookID, j.posted, h.now()) }()
		if !h.loadSecrets(ctx, j) {
			return false
		}
	}
	if err := h.number(ctx, j); err != nil {
		return h.attemptUnknown(ctx, j.d, err)
	}
	r, attempted := h.attempt(ctx, j)
	if !attempted {
		return false
	}
	return h.settle(ctx, j, r)
}
