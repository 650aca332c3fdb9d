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
// resend marked the record) starts its schedule at 1. Another copy of
// the record's own schedule (another queue message of the delivery id,
// see DeliveryRecord.Owner) is deliverylog.ErrDuplicate: the copy that
// owns the count runs the schedule.
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
	case rec.Owner != "" && rec.Owner != m.MessageId:
		return 0, record{}, deliverylog.ErrDuplicate
	}
	return rec.Attempts + 1, record{DeliveryRecord: rec, stored: true}, nil
}

// next is the record after attempt n of m, made at now with that HTTP
// status; m's copy owns the count it saves.
func (p record) next(m events.SQSMessage, d message.Delivery, n int, now time.Time, status int) record {
	first := p.FirstAttemptAt
	if first.IsZero() {
		first = now
	}
	return record{stored: p.stored, test: d.Test, DeliveryRecord: deliverylog.DeliveryRecord{
		DeliveryID: d.DeliveryID, OrgID: d.OrgID, WebhookID: d.WebhookID, EventID: d.EventID, EventName: d.EventName,
		Message: m.Body, Attempts: n, FirstAttemptAt: first, LastAttemptAt: now,
		Status: deliverylog.StatusInFlight, LastStatusCode: status, Resend: d.Resend,
		Owner: m.MessageId,
	}}
}

// save stores the record before a retry and reports whether it did, and
// whether the store refused it (trying again would be refused too). A
// failure is logged: the next attempt then repeats this one's number,
// one attempt more than the schedule at most. A save refused because a
// resend superseded this schedule, or because another copy of the
// delivery owns its count (either attempted on its first receive,
// unread), keeps the other schedule's count: the message comes back and
// is dropped (attemptOf).
func (h *Handler) save(ctx context.Context, rec record) (saved, refused bool) {
	err := h.d.Records.Save(ctx, rec.DeliveryRecord)
	if errors.Is(err, deliverylog.ErrSuperseded) || errors.Is(err, deliverylog.ErrDuplicate) {
		h.log.LogAttrs(ctx, slog.LevelInfo, "attempt count not recorded: "+replacedBy(err),
			slog.String("org_id", rec.OrgID), slog.String("webhook_id", rec.WebhookID), slog.String("delivery_id", rec.DeliveryID))
		return false, true
	}
	if err != nil {
		h.log.ErrorContext(ctx, "record attempt count", "org_id", rec.OrgID, "webhook_id", rec.WebhookID, "delivery_id", rec.DeliveryID, "attempt", rec.Attempts, "error", err)
		return false, false
	}
	return true, false
}

// replacedBy says which other schedule carries a delivery whose copy
// ends: a resend's (deliverylog.ErrSuperseded) or another copy's
// (deliverylog.ErrDuplicate).
func replacedBy(err error) string {
	if errors.Is(err, deliverylog.ErrDuplicate) {
		return "another copy of it carries its retries"
	}
	return "a resend replaced its retries"
}

// release lets go of the count m's schedule owns before it is
// dead-lettered, and reports whether it may go on: a copy sent back
// without a reset of the count (a redrive without the table) then owns
// it, rather than being dropped as a duplicate of this schedule. A
// delivery without a record owns none (nothing to write); one whose
// release failed comes back to try again (and dead-letters unPOSTed:
// its count is spent).
func (h *Handler) release(ctx context.Context, m events.SQSMessage, rec record) bool {
	if !rec.stored {
		return true
	}
	if err := h.d.Records.Release(ctx, rec.DeliveryID, m.MessageId); err != nil {
		h.log.ErrorContext(ctx, "release attempt count", "org_id", rec.OrgID, "webhook_id", rec.WebhookID, "delivery_id", rec.DeliveryID, "error", err)
		return false
	}
	return true
}
