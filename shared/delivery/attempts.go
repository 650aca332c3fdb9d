package delivery

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
)

// record is the delivery record as of this attempt; stored says whether
// the store holds it (then the attempt log entry need not keep the body).
type record struct {
	deliverylog.DeliveryRecord
	stored bool
	test   bool // the tenant's own test (message.Delivery.Test), for its log entry
}

// attemptOf numbers this attempt. A message received for the first time
// has never been attempted: attempt 1, without a read, unless a resend
// sent it (a record may hold the schedule it supersedes). A message
// received again continues from its delivery record, which is written
// before every retry; without one (a crash between the POST and the
// record, or before the POST) the attempt is taken to be 1 again. That
// repeats at most the attempt the crash cut short, and the queue's
// redrive policy bounds receives, so a message is never lost nor retried
// forever. A message of a schedule older than the record's is
// deliverylog.ErrSuperseded; one newer (a resend's, read before the
// resend marked the record) starts its schedule at 1.
func (h *Handler) attemptOf(ctx context.Context, m events.SQSMessage, d message.Delivery) (int, record, error) {
	if n, err := strconv.Atoi(m.Attributes[message.AttrReceiveCount]); err == nil && n <= 1 && d.Resend == 0 {
		return 1, record{}, nil
	}
	rec, err := h.d.Records.Get(ctx, d.DeliveryID)
	switch {
	case errors.Is(err, deliverylog.ErrNotFound):
		return 1, record{}, nil
	case err != nil:
		return 0, record{}, err
	case d.Resend < rec.Resend:
		return 0, record{}, deliverylog.ErrSuperseded
	case d.Resend > rec.Resend:
		return 1, record{stored: true}, nil
	}
	return rec.Attempts + 1, record{DeliveryRecord: rec, stored: true}, nil
}

// number numbers j's attempt (attemptOf) and sets j.spent: a number past
// the schedule's last attempt means that attempt was made on an earlier
// receive, whose dead letter or removal failed, and it is finished now as
// that attempt (its count, status and time, see spentResult), neither
// POSTing again nor counting one more. A 410 that may have come from a
// URL the webhook no longer has is not its answer (goneFromAnotherURL):
// the last attempt is made again, to the URL as it is now. A
// single-attempt test is never spent.
func (h *Handler) number(ctx context.Context, j *job) error {
	n, prior, err := h.attemptOf(ctx, j.m, j.d)
	if err != nil {
		return err
	}
	j.n, j.prior = n, prior
	j.spent = n > len(h.cfg.RetrySchedule)+1 && !j.once
	if j.spent && goneFromAnotherURL(prior, j.w) {
		j.n, j.spent = prior.Attempts, false
	}
	return nil
}

// attemptUnknown handles attemptOf's error: a superseded message is done
// with (logged), a failed read comes back to try again.
func (h *Handler) attemptUnknown(ctx context.Context, d message.Delivery, err error) bool {
	if errors.Is(err, deliverylog.ErrSuperseded) {
		h.log.LogAttrs(ctx, slog.LevelInfo, "delivery dropped: a resend replaced its retries",
			slog.String("org_id", d.OrgID), slog.String("webhook_id", d.WebhookID), slog.String("delivery_id", d.DeliveryID))
		return true
	}
	h.log.ErrorContext(ctx, "read attempt count", "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
	return false
}

// next is the record after attempt n, made at now with result r (its
// HTTP status, or its error class when none came back).
func (p record) next(d message.Delivery, body string, n int, now time.Time, r result) record {
	first := p.FirstAttemptAt
	if first.IsZero() {
		first = now
	}
	return record{stored: p.stored, test: d.Test, DeliveryRecord: deliverylog.DeliveryRecord{
		DeliveryID: d.DeliveryID, OrgID: d.OrgID, WebhookID: d.WebhookID, EventID: d.EventID, EventName: d.EventName,
		Message: body, Attempts: n, FirstAttemptAt: first, LastAttemptAt: now,
		Status: deliverylog.StatusInFlight, LastStatusCode: r.status, LastErrorClass: r.class, Resend: d.Resend,
	}}
}

// save stores the record before a retry and reports whether it did. A
// failure is logged: the next attempt then repeats this one's number,
// one attempt more than the schedule at most. A save refused because a
// resend superseded this schedule (a copy of it attempted on its first
// receive, unread) keeps the resend's count: the message comes back and
// is dropped.
func (h *Handler) save(ctx context.Context, rec record) bool {
	err := h.d.Records.Save(ctx, rec.DeliveryRecord)
	if errors.Is(err, deliverylog.ErrSuperseded) {
		h.log.LogAttrs(ctx, slog.LevelInfo, "attempt count not recorded: a resend replaced this delivery's retries",
			slog.String("org_id", rec.OrgID), slog.String("webhook_id", rec.WebhookID), slog.String("delivery_id", rec.DeliveryID))
		return false
	}
	if err != nil {
		h.log.ErrorContext(ctx, "record attempt count", "org_id", rec.OrgID, "webhook_id", rec.WebhookID, "delivery_id", rec.DeliveryID, "attempt", rec.Attempts, "error", err)
		return false
	}
	return true
}
