package delivery

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// MsgWebhookDisabled is the log line of an auto-disable; the stack's
// metric filter counts it (WebhooksAutoDisabled) and alarms on it.
const MsgWebhookDisabled = "webhook disabled for failing"

// LevelWebhookDisabled is that line's level: a stack whose logLevel is
// above it drops the line, and with it the alarm (the stack warns).
const LevelWebhookDisabled = slog.LevelWarn

// HealthStore is the webhook store's health side plus its consistent Get
// (dynamo.WebhookStore).
type HealthStore interface {
	webhook.HealthStore
	Get(ctx context.Context, orgID, id string) (webhook.Webhook, error)
}

// confirm reads again, consistently, a webhook that the cache (or an
// eventually consistent read) shows disabled or not subscribed to the
// delivery's event type: a recover enables it and then re-queues its
// deliveries at once, and a tenant who adds an event type may publish it
// at once; those must be POSTed, not parked again or skipped as
// webhook_disabled or unsubscribed by a stale read. Such deliveries are
// rare; the read is cheap, and the cache keeps it, so the deliveries that
// follow (of the types it does subscribe to) read nothing.
func (h *Handler) confirm(ctx context.Context, w webhook.Webhook) (webhook.Webhook, error) {
	if h.d.Health == nil {
		return w, nil
	}
	fresh, err := h.d.Health.Get(ctx, w.OrgID, w.ID)
	if err != nil {
		h.forget(w)
		return fresh, err
	}
	if c, ok := h.d.Webhooks.(interface{ Remember(webhook.Webhook) }); ok {
		c.Remember(fresh)
	}
	return fresh, nil
}

// mayBeDisabled reports whether a webhook the cache shows enabled may have
// been disabled for failing since it was read (by another container, or
// by this one through an eventually consistent read): its run is past
// autoDisableAfter. A disable needs a clock at least that old, and a copy
// at most the cache's 10 s old already holds that run, so reading such
// an endpoint again (consistently) before the POST parks its deliveries
// from the disable on, as README "Parked, not dropped" says, instead of
// POSTing and dead-lettering them for the rest of the cache's life. Only
// an endpoint that has failed everything for that long pays the read.
func (h *Handler) mayBeDisabled(w webhook.Webhook) bool {
	t := webhook.Threshold{After: h.cfg.DisableAfter, MinFailures: h.cfg.DisableMinFailures}
	hl := w.Health
	return w.Enabled && t.On() && hl.ConsecutiveFailures > 0 && !hl.FirstDeadLetterAt.IsZero() &&
		!h.now().Before(hl.FirstDeadLetterAt.Add(t.After))
}

// Notifier announces an endpoint disabled for failing (healthnotice.Publisher).
type Notifier interface {
	Disabled(ctx context.Context, w webhook.Webhook) error
}

// health applies README "Endpoint health" to one delivery's outcome. It
// writes only on a failure path or when a success ends a failure run, so a
// healthy endpoint's deliveries cost nothing here.
func (h *Handler) health(ctx context.Context, w webhook.Webhook, outcome string, rec deliverylog.DeliveryRecord, now time.Time) {
	// At an endpoint disabled for failing only the tenant's tests are POSTed:
	// they neither end its failure run nor add to it, since the run's
	// start is where a recover begins to send what was missed.
	if h.d.Health == nil || w.Parks() {
		return
	}
	switch outcome {
	case deliverylog.OutcomeDelivered:
		// The count is as fresh as the webhook read (WebhookCache TTL): a
		// success that finds it at zero writes nothing.
		if w.Health.ConsecutiveFailures == 0 {
			return
		}
		if err := h.d.Health.RecordRecovery(ctx, w.OrgID, w.ID, now); err != nil {
			h.healthNotRecorded(ctx, "record endpoint recovery", w, err)
		}
		h.forget(w)
	case deliverylog.OutcomeDeadLettered:
		h.failed(ctx, w, rec, now)
	}
}

// failed counts a dead-lettered delivery (a new run starts at the
// delivery's first attempt, its auto-disable clock at now, the dead
// letter) and disables the endpoint once the run crosses the threshold.
func (h *Handler) failed(ctx context.Context, w webhook.Webhook, rec deliverylog.DeliveryRecord, now time.Time) {
	defer h.forget(w) // the next delivery reads the new count, not a cached one
	start := rec.FirstAttemptAt
	if start.IsZero() {
		start = now
	}
	hl, err := h.d.Health.RecordFailure(ctx, w.OrgID, w.ID, start, now)
	switch {
	case errors.Is(err, webhook.ErrRunStartNotMoved):
		// Counted all the same: the threshold is checked on that count.
		h.log.ErrorContext(ctx, "record endpoint failure", "org_id", w.OrgID, "webhook_id", w.ID, "error", err)
	case err != nil:
		h.healthNotRecorded(ctx, "record endpoint failure", w, err)
		return
	}
	threshold := webhook.Threshold{After: h.cfg.DisableAfter, MinFailures: h.cfg.DisableMinFailures}
	if !w.Enabled || !threshold.Crossed(hl, now) {
		return
	}
	disabled, err := h.d.Health.DisableFailing(ctx, w.OrgID, w.ID, now, threshold)
	if err != nil || !disabled {
		if err != nil {
			h.log.ErrorContext(ctx, "disable failing endpoint", "org_id", w.OrgID, "webhook_id", w.ID, "error", err)
		}
		return
	}
	// The deliveries that follow park from now on, not once the notice
	// below is put: the cache must not answer with the endpoint enabled.
	h.forget(w)
	w.Enabled, w.DisabledReason, w.DisabledAt, w.Health, w.DisabledNoticePending = false, webhook.DisabledFailing, now, hl, true
	h.log.LogAttrs(ctx, LevelWebhookDisabled, MsgWebhookDisabled,
		slog.String("org_id", w.OrgID), slog.String("webhook_id", w.ID), slog.String("reason", w.DisabledReason),
		slog.Int("consecutive_failures", hl.ConsecutiveFailures), slog.Time("failing_since", hl.FailingSince))
	h.announceDisabled(ctx, w)
}

// announceDisabled puts the webhook.disabled notice of w's disable and
// then clears the disable's pending mark. A put that fails (or a process
// that stops first) leaves the mark, and the next delivery that finds w
// parked puts the notice again, under the same event id.
func (h *Handler) announceDisabled(ctx context.Context, w webhook.Webhook) {
	if h.d.Notify == nil || h.d.Health == nil {
		return
	}
	if err := h.d.Notify.Disabled(ctx, w); err != nil {
		h.log.ErrorContext(ctx, "notify endpoint disabled", "org_id", w.OrgID, "webhook_id", w.ID, "error", err)
		return
	}
	if err := h.d.Health.DisabledNoticeSent(ctx, w.OrgID, w.ID, w.DisabledAt); err != nil {
		h.log.ErrorContext(ctx, "clear pending disabled notice", "org_id", w.OrgID, "webhook_id", w.ID, "error", err)
	}
	h.forget(w)
}

func (h *Handler) forget(w webhook.Webhook) {
	if f, ok := h.d.Webhooks.(interface{ Forget(orgID, id string) }); ok {
		f.Forget(w.OrgID, w.ID)
	}
}

// park keeps a delivery for an endpoint disabled for failing until a
// recover (or config.ParkedTTL): not POSTed, not dead-lettered. A health
// notice is not kept: it describes the endpoint's own state, and a
// recover announces itself.
func (h *Handler) park(ctx context.Context, m events.SQSMessage, d message.Delivery) bool {
	if healthnotice.IsNotice(d.EventName) || h.d.Parked == nil {
		return h.skip(ctx, m, d, ClassWebhookDisabled)
	}
	p := deliverylog.Parked{
		OrgID: d.OrgID, WebhookID: d.WebhookID, DeliveryID: d.DeliveryID,
		SentAt: sentAt(m, deliverylog.DeliveryRecord{}, h.now()), ParkedAt: h.now(), Message: m.Body,
	}
	if err := h.d.Parked.Park(ctx, p); err != nil {
		h.log.ErrorContext(ctx, "park delivery", "org_id", d.OrgID, "webhook_id", d.WebhookID, "delivery_id", d.DeliveryID, "error", err)
		return false // SQS brings it back: parking is retried, nothing lost
	}
	if !h.stillParks(ctx, m, p) {
		return false
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "delivery attempt",
		slog.String("org_id", d.OrgID), slog.String("webhook_id", d.WebhookID), slog.String("delivery_id", d.DeliveryID),
		slog.String("event_id", d.EventID), slog.String("event_name", d.EventName), slog.String("outcome", deliverylog.OutcomeParked))
	return true
}

// stillParks reads the webhook again, consistently, after its delivery was
// parked, and reports whether the park stands. A recover enables the
// endpoint, then reads its parked deliveries: a deliver that read it
// disabled before the enable may write its park after that read, and a
// park at an enabled endpoint is one no recover is due to fetch. Either
// this read comes after the park and sees the enable, or the recover's
// read comes after the park and queues it. So a park the webhook no
// longer calls for (enabled, disabled by the tenant, deleted) is taken
// back (takeBack), and the message comes back at once for the path that
// applies now; if it is gone already, a recover queued it, and this
// message is done. On a failed read the message comes back and parks
// again.
func (h *Handler) stillParks(ctx context.Context, m events.SQSMessage, p deliverylog.Parked) bool {
	if h.d.Health == nil {
		return true
	}
	w, err := h.d.Health.Get(ctx, p.OrgID, p.WebhookID)
	switch {
	case err == nil && w.Parks():
		return true
	case err != nil && !errors.Is(err, webhook.ErrNotFound):
		h.log.ErrorContext(ctx, "confirm park", "org_id", p.OrgID, "webhook_id", p.WebhookID, "delivery_id", p.DeliveryID, "error", err)
		return false
	}
	h.forget(webhook.Webhook{OrgID: p.OrgID, ID: p.WebhookID})
	return h.takeBack(ctx, m, p)
}

// healthNotRecorded logs a health write that failed. A webhook deleted
// while its delivery was still going out (the README allows it for a few
// seconds) has no health to record: that is expected, not an error.
func (h *Handler) healthNotRecorded(ctx context.Context, msg string, w webhook.Webhook, err error) {
	level := slog.LevelError
	if errors.Is(err, webhook.ErrNotFound) {
		level, msg = slog.LevelInfo, msg+": webhook deleted meanwhile"
	}
	h.log.Log(ctx, level, msg, "org_id", w.OrgID, "webhook_id", w.ID, "error", err)
}
