package delivery

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// dlqAttributes are the reason attributes of docs/internals.md. Empty
// values are dropped by the SQS adapter.
func dlqAttributes(reason string, d message.Delivery, rec deliverylog.DeliveryRecord, r result, at time.Time) map[string]string {
	attrs := map[string]string{
		message.AttrReason:      reason,
		message.AttrLastError:   r.class,
		message.AttrAttempts:    strconv.Itoa(rec.Attempts),
		message.AttrOrgID:       d.OrgID,
		message.AttrWebhookID:   d.WebhookID,
		message.AttrEventName:   d.EventName,
		message.AttrLastAttempt: at.UTC().Format(time.RFC3339),
	}
	if r.status != 0 {
		attrs[message.AttrLastStatus] = strconv.Itoa(r.status)
	}
	if !rec.FirstAttemptAt.IsZero() {
		attrs[message.AttrFirstAttempt] = rec.FirstAttemptAt.UTC().Format(time.RFC3339)
	}
	return attrs
}

// deadLetter moves m to the DLQ: send first, then delete, so a crash in
// between duplicates the message in the DLQ rather than losing it. It
// reports whether the message left the delivery queue's responsibility
// (false: the caller reports a batch item failure and SQS keeps it).
//
// Attributes that would not fit beside the body are dropped (least useful
// first), and a send that fails all the same is tried once more with the
// reason alone (and the index item's id): SQS's size accounting must never
// keep a message cycling between the delivery queue and a DLQ that refuses it.
// sent, if not nil, runs between the send and the delete.
func (h *Handler) deadLetter(ctx context.Context, m events.SQSMessage, attrs map[string]string, sent func()) bool {
	attrs = message.FitAttributes(m.Body, attrs)
	err := h.d.Queue.Send(ctx, h.cfg.DLQURL, queue.Message{Body: m.Body, Attributes: attrs})
	if err != nil && len(attrs) > 1 {
		h.log.WarnContext(ctx, "dead-letter send failed; trying again with the reason only",
			"message_id", m.MessageId, "reason", attrs[message.AttrReason], "error", err)
		// The index item's id too, if it fits: an operator's redrive
		// without it would send a letter its tenant recovered already.
		least := map[string]string{message.AttrReason: attrs[message.AttrReason]}
		if id := attrs[message.AttrDeadLetterID]; id != "" {
			least[message.AttrDeadLetterID] = id
		}
		err = h.d.Queue.Send(ctx, h.cfg.DLQURL, queue.Message{Body: m.Body, Attributes: message.FitAttributes(m.Body, least)})
	}
	if err != nil {
		h.log.ErrorContext(ctx, "dead-letter send failed; message kept for retry",
			"message_id", m.MessageId, "reason", attrs[message.AttrReason], "error", err)
		return false
	}
	if sent != nil {
		sent()
	}
	// A failed delete is harmless: the message is not reported as failed,
	// so the event source mapping deletes it as well. It is attempted even
	// if ctx ended during the send, which is already done.
	dctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := h.d.Queue.Delete(dctx, h.laneOf(ctx, m), m.ReceiptHandle); err != nil {
		h.log.WarnContext(ctx, "delete after dead-letter failed", "message_id", m.MessageId, "error", err)
	}
	return true
}

// deadLetterAttempt dead-letters j's message after its attempt (result
// r, record rec) with reason, and reports whether it did; if not, the
// message is kept for retry. recordAs writes the attempt entry.
func (h *Handler) deadLetterAttempt(ctx context.Context, j *job, rec record, r result, reason string, recordAs func(outcome string)) bool {
	attrs := dlqAttributes(reason, j.d, rec.DeliveryRecord, r, rec.LastAttemptAt)
	// The index item first: a DLQ letter the tenant's recover cannot
	// find would be missed without a word.
	if !h.indexDeadLetter(ctx, j.m, j.d, j.at, attrs) {
		return false
	}
	// The attempt entry is written between the DLQ send and the delete,
	// so a crash after the delete cannot lose it.
	if !h.deadLetter(ctx, j.m, attrs, func() { recordAs(deliverylog.OutcomeDeadLettered) }) {
		h.unindexDeadLetter(ctx, j.d, attrs)
		return false
	}
	return true
}

// indexDeadLetter writes the letter's item in its webhook's index of dead
// letters, which the tenant's recover reads, and names it in attrs
// (message.AttrDeadLetterID) for the operators' tools. It runs before the
// DLQ send: if it fails, nothing is sent, and the message is kept for
// retry exactly as when the send fails, so every letter deliver puts in
// the DLQ has its item. One written before a send that then failed is an
// item without a letter: a recover may send that delivery once more,
// with the same delivery id (never a loss). A tenant's own test is not
// indexed: a recover leaves it for the operators.
func (h *Handler) indexDeadLetter(ctx context.Context, m events.SQSMessage, d message.Delivery, at time.Time, attrs map[string]string) bool {
	if h.d.DeadLetters == nil || d.Test {
		return true
	}
	dl := deliverylog.DeadLetter{OrgID: d.OrgID, WebhookID: d.WebhookID, DeliveryID: d.DeliveryID, At: at, Message: m.Body}
	if err := h.d.DeadLetters.Add(ctx, dl); err != nil {
		h.log.ErrorContext(ctx, "dead-letter index write failed; message kept for retry",
			"message_id", m.MessageId, "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
		return false
	}
	attrs[message.AttrDeadLetterID] = dl.ID()
	return true
}

// unindexDeadLetter closes the index item written for a letter whose DLQ
// send failed. The message is kept, and its next receive delivers it or
// dead-letters it under an item of its own; this one, left open, would
// let the tenant's recover send the delivery once more, and bring back
// one an operator purged or redrove. A send that reached SQS despite its
// error leaves a letter naming this closed item, which a redrive deletes
// unsent: the kept message is the delivery's own. A close that fails
// leaves the item open (a recover may then send the delivery once more).
func (h *Handler) unindexDeadLetter(ctx context.Context, d message.Delivery, attrs map[string]string) {
	id := attrs[message.AttrDeadLetterID]
	if id == "" {
		return
	}
	ref := deliverylog.Ref{OrgID: d.OrgID, WebhookID: d.WebhookID, ID: id}
	if err := h.d.DeadLetters.Close(ctx, ref, deliverylog.ClosedByRetried, h.now()); err != nil {
		h.log.ErrorContext(ctx, "close the index item of an unsent dead letter",
			"org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
	}
}
