package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/netguard"
	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// settle decides what j's attempt, with result r, calls for and carries
// it out: done with (delivered, removed on a 410, finished), retried after
// a visibility timeout, or dead-lettered. Then it records it: the delivery
// record, the endpoint's health, the attempt log entry and the attempt's
// log line. It returns whether the message is done with.
func (h *Handler) settle(ctx context.Context, j *job, r result) bool {
	// The attempt happened (maybe POSTed): what follows records it, and
	// must not be cut off by a shutdown reached now, nor by the invocation's
	// deadline before its margin (bookkeeping).
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	b := newBudget(j.received, sentAt(j.m, j.prior.DeliveryRecord, j.at), h.now())
	dec := decide(r, j.n, h.cfg.RetrySchedule, h.jitter, b)
	if j.once {
		dec = dec.once()
	}
	rec := j.recordAfter(r)
	outcome, done, entered := h.carryOut(bctx, j, &rec, r, dec, b)
	h.countHealth(ctx, j.w, outcome, rec.DeliveryRecord, j.at)
	if !entered {
		h.record(bctx, rec, outcome, r)
	}
	h.logAttempt(ctx, j.d, j.n, outcome,
		"status", r.status, "error_class", r.class, "reason", dec.reason,
		"retry_in", dec.delay, "latency_ms", r.latency.Milliseconds(), "url", j.maskedURL())
	return done
}

// recordAfter is the delivery record after j's attempt with result r. A
// spent attempt keeps the record the earlier receive left: it is that
// attempt.
func (j *job) recordAfter(r result) record {
	if j.spent {
		rec := j.prior
		rec.test = j.d.Test
		return rec
	}
	return j.prior.next(j.d, j.m.Body, j.n, j.at, r)
}

// carryOut carries out dec (apply) and stores the attempt's count in the
// delivery record wherever the message comes back: before a retry, and
// after a dead letter or removal that failed. It returns the outcome,
// whether the message is done with, and whether the attempt entry is
// written already (a dead letter writes it between its send and delete).
func (h *Handler) carryOut(ctx context.Context, j *job, rec *record, r result, dec decision, b budget) (outcome string, done, entered bool) {
	counted := false // whether the record holds the attempt
	if dec.act == actRetry {
		// The count must be stored before the message can come back.
		counted = h.save(ctx, *rec)
	}
	rec.stored = rec.stored || counted
	outcome, done, uncounted := h.apply(ctx, j, *rec, r, dec, b, func(outcome string) {
		h.record(ctx, *rec, outcome, r)
		entered = true
	})
	if !done && !counted && !uncounted {
		// A dead letter or removal that failed: the message comes back,
		// and must find this attempt counted.
		counted = h.save(ctx, *rec)
	}
	rec.stored = rec.stored || counted
	return outcome, done, entered
}

// apply carries out the decision and returns the outcome to record,
// whether the message is done with, and whether the attempt is not to be
// counted (a 410 from a webhook that is not what was POSTed to any more).
// recordAs writes the attempt entry where the outcome needs it earlier
// than after apply returns.
func (h *Handler) apply(ctx context.Context, j *job, rec record, r result, dec decision, b budget, recordAs func(outcome string)) (string, bool, bool) {
	switch dec.act {
	case actDelivered:
		return deliverylog.OutcomeDelivered, true, false
	case actRemove:
		return h.removeGone(ctx, j, b)
	case actFinish:
		return deliverylog.OutcomeFailed, true, false
	case actRetry:
		if err := h.d.Queue.ChangeVisibility(ctx, h.laneOf(ctx, j.m), j.m.ReceiptHandle, dec.delay); err != nil {
			// Still a failure: it returns after the queue's own visibility timeout.
			h.log.ErrorContext(ctx, "set retry backoff", "org_id", j.d.OrgID, "webhook_id", j.d.WebhookID, "delivery_id", j.d.DeliveryID, "error", err)
		}
		return deliverylog.OutcomeRetrying, false, false
	default:
		if !h.deadLetterAttempt(ctx, j, rec, r, dec.reason, recordAs) {
			return deliverylog.OutcomeRetrying, false, false
		}
		return deliverylog.OutcomeDeadLettered, true, false
	}
}

// removeGone removes the webhook whose endpoint answered 410, as apply
// reports it. A webhook that is not what was POSTed to any more stays,
// and the attempt is not counted (retryMoved); a removal that failed
// leaves the message to come back and try again.
func (h *Handler) removeGone(ctx context.Context, j *job, b budget) (string, bool, bool) {
	err := h.d.Remover.Remove(ctx, j.w)
	if errors.Is(err, webhook.ErrMoved) {
		h.retryMoved(ctx, j.m, j.d, j.w, b)
		return deliverylog.OutcomeRetrying, false, true
	}
	if err != nil {
		h.log.ErrorContext(ctx, "remove gone webhook", "org_id", j.d.OrgID, "webhook_id", j.d.WebhookID, "error", err)
		return deliverylog.OutcomeRetrying, false, false
	}
	h.forget(j.w)
	return deliverylog.OutcomeRemoved, true, false
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
		excerpt = phrase.Clip(excerpt, maxDeliveredExcerpt, "") // excerpt is valid UTF-8
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

// maskedURL is the webhook's URL as log lines show it: from the URL the
// guard parsed where it accepted one, not a second parse.
func (j *job) maskedURL() string {
	if j.urlErr != nil {
		return netguard.Mask(j.w.URL)
	}
	return netguard.MaskURL(j.u)
}
