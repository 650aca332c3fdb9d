package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
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
// once, and reported once.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	unique := make([]events.SQSMessage, 0, len(ev.Records))
	seen := make(map[string]bool, len(ev.Records))
	for _, m := range ev.Records {
		if seen[m.MessageId] {
			h.log.WarnContext(ctx, "message twice in one batch: handled once", "message_id", m.MessageId)
			continue
		}
		seen[m.MessageId] = true
		unique = append(unique, m)
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

// job is one delivery message on its way through process.
type job struct {
	m    events.SQSMessage
	d    message.Delivery
	w    webhook.Webhook // its webhook, as read for this receive
	once bool            // a single attempt, whatever it gives (decision.once)
	// received is when SQS's visibility limit for this receive started.
	received time.Time
	u        *url.URL // the URL to POST to, when the guard accepts it
	urlErr   error    // why the guard refused it
	active   []string // the signing secrets
	n        int      // the attempt's number
	prior    record   // the delivery record before it
	spent    bool     // attempt n was made on an earlier receive (number)
	at       time.Time
	posted   result // what the POST gave, for the endpoint gate (none: zero)
}

// process handles one message; false means "report as a batch item failure".
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
	d, w, once, n, prior, spent, now := j.d, j.w, j.once, j.n, j.prior, j.spent, j.at
	u, urlErr := j.u, j.urlErr
	// The attempt happened (maybe POSTed): what follows records it, and
	// must not be cut off by a shutdown reached now, nor by the invocation's
	// deadline before its margin (bookkeeping).
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	b := newBudget(received, sentAt(m, prior.DeliveryRecord, now), h.now())
	dec := decide(r, n, h.cfg.RetrySchedule, h.jitter, b)
	if once {
		dec = dec.once()
	}
	rec := prior.next(d, m.Body, n, now, r)
	if spent {
		rec = prior
		rec.test = d.Test
	}
	counted := false // whether the record holds attempt n
	if dec.act == actRetry {
		// The count must be stored before the message can come back.
		counted = h.save(bctx, rec)
	}
	rec.stored = rec.stored || counted
	entered := false // whether apply wrote the attempt entry already
	outcome, done, uncounted := h.apply(bctx, m, d, w, rec, r, dec, b, now, func(outcome string) {
		h.record(bctx, rec, outcome, r)
		entered = true
	})
	if !done && !counted && !uncounted {
		// A dead letter or removal that failed: the message comes back,
		// and must find this attempt counted.
		counted = h.save(bctx, rec)
	}
	rec.stored = rec.stored || counted
	h.countHealth(ctx, w, outcome, rec.DeliveryRecord, now)
	if !entered {
		h.record(bctx, rec, outcome, r)
	}
	masked := netguard.MaskURL(u) // the URL already parsed, not a second parse
	if urlErr != nil {
		masked = netguard.Mask(w.URL)
	}
	h.logAttempt(ctx, d, n, outcome,
		"status", r.status, "error_class", r.class, "reason", dec.reason,
		"retry_in", dec.delay, "latency_ms", r.latency.Milliseconds(), "url", masked)
	return done
}

// apply carries out the decision and returns the outcome to record,
// whether the message is done with, and whether the attempt is not to be
// counted (a 410 from a webhook that is not what was POSTed to any more).
// recordAs writes the attempt entry where the outcome needs it earlier
// than after apply returns.
func (h *Handler) apply(ctx context.Context, m events.SQSMessage, d message.Delivery, w webhook.Webhook, rec record, r result, dec decision, b budget, now time.Time, recordAs func(outcome string)) (string, bool, bool) {
	switch dec.act {
	case actDelivered:
		return deliverylog.OutcomeDelivered, true, false
	case actRemove:
		err := h.d.Remover.Remove(ctx, w)
		if errors.Is(err, webhook.ErrMoved) {
			h.retryMoved(ctx, m, d, w, b)
			return deliverylog.OutcomeRetrying, false, true
		}
		if err != nil {
			h.log.ErrorContext(ctx, "remove gone webhook", "org_id", d.OrgID, "webhook_id", d.WebhookID, "error", err)
			return deliverylog.OutcomeRetrying, false, false
		}
		h.forget(w)
		return deliverylog.OutcomeRemoved, true, false
	case actFinish:
		return deliverylog.OutcomeFailed, true, false
	case actRetry:
		if err := h.d.Queue.ChangeVisibility(ctx, h.laneOf(ctx, m), m.ReceiptHandle, dec.delay); err != nil {
			// Still a failure: it returns after the queue's own visibility timeout.
			h.log.ErrorContext(ctx, "set retry backoff", "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
		}
		return deliverylog.OutcomeRetrying, false, false
	default:
		attrs := dlqAttributes(dec.reason, d, rec.DeliveryRecord, r, rec.LastAttemptAt)
		// The index item first: a DLQ letter the tenant's recover cannot
		// find would be missed without a word.
		if !h.indexDeadLetter(ctx, m, d, now, attrs) {
			return deliverylog.OutcomeRetrying, false, false
		}
		// The attempt entry is written between the DLQ send and the delete,
		// so a crash after the delete cannot lose it.
		if !h.deadLetter(ctx, m, attrs, func() { recordAs(deliverylog.OutcomeDeadLettered) }) {
			h.unindexDeadLetter(ctx, d, attrs)
			return deliverylog.OutcomeRetrying, false, false
		}
		return deliverylog.OutcomeDeadLettered, true, false
	}
}

// countHealth counts the outcome in the endpoint's health with time of its
// own, as record has: the steps before it (a dead letter's index write,
// send and delete) may have spent the bookkeeping's on a slow store, and a
// dead letter's count missed here is never made up (its message is gone).
func (h *Handler) countHealth(ctx context.Context, w webhook.Webhook, outcome string, rec deliverylog.DeliveryRecord, now time.Time) {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	h.health(ctx, w, outcome, rec, now)
}

// record appends to the attempt log, with the queue body when no delivery
// record keeps it (so a resend finds it), and reports whether it did.
// After a POST a failure is only logged: retrying the message would POST
// again for the sake of a log line.
func (h *Handler) record(ctx context.Context, rec record, outcome string, r result) bool {
	// Time of its own: the steps before it (a removal, a dead letter) may
	// have spent the bookkeeping's on a slow store, and this entry is the
	// tenant's only word of what became of the delivery.
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	body := ""
	if !rec.stored {
		body = rec.Message
	}
	excerpt := r.excerpt
	if outcome == deliverylog.OutcomeDelivered {
		excerpt = truncateUTF8(excerpt, maxDeliveredExcerpt)
	}
	err := h.d.Attempts.Append(ctx, deliverylog.Attempt{
		DeliveryID: rec.DeliveryID, EventID: rec.EventID, EventName: rec.EventName, OrgID: rec.OrgID, WebhookID: rec.WebhookID,
		Attempt: rec.Attempts, At: rec.LastAttemptAt, Outcome: outcome, StatusCode: r.status, ErrorClass: r.class,
		LatencyMS: r.latency.Milliseconds(), Response: excerpt, Test: rec.test,
	}, body)
	if err != nil {
		h.log.ErrorContext(ctx, "record attempt", "org_id", rec.OrgID, "webhook_id", rec.WebhookID, "delivery_id", rec.DeliveryID, "attempt", rec.Attempts, "error", err)
	}
	return err == nil
}
