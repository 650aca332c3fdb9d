package delivery

import (
	"context"
	"errors"
	"log/slog"

	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// WebhookRemover removes a webhook whose endpoint answered 410 Gone.
type WebhookRemover struct {
	Webhooks interface {
		// DeleteGone deletes read's webhook only while it is still at
		// read.URL and not disabled by its tenant (else webhook.ErrMoved).
		DeleteGone(ctx context.Context, read webhook.Webhook) error
	}
	Secrets interface {
		ScheduleDeletion(ctx context.Context, orgID, webhookID string) error
	}
	Logger *slog.Logger
}

// Remove deletes the webhook, as read by the delivery that got the 410,
// first, so fan-out stops sending to it, then schedules its secret's
// deletion whenever the webhook is gone (even if its slot in the org's
// count was not released). Only the first can fail the delivery: once the
// webhook is gone a retried message would be skipped and never reach this
// point again, so a secret left behind is logged for operators instead (an
// orphaned secret signs nothing). A webhook the tenant moved to another URL
// or disabled since the read is kept, with its secret: webhook.ErrMoved.
func (r WebhookRemover) Remove(ctx context.Context, read webhook.Webhook) error {
	orgID, webhookID := read.OrgID, read.ID
	if err := r.Webhooks.DeleteGone(ctx, read); !webhook.Gone(err) {
		return err
	} else if errors.Is(err, webhook.ErrSlotNotReleased) {
		r.logError(ctx, "removed webhook kept its slot in the org's count", orgID, webhookID, err)
	}
	if err := r.Secrets.ScheduleDeletion(ctx, orgID, webhookID); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		r.logError(ctx, "schedule deletion of a removed webhook's secret", orgID, webhookID, err)
	}
	return nil
}

func (r WebhookRemover) logError(ctx context.Context, msg, orgID, webhookID string, err error) {
	if r.Logger != nil {
		r.Logger.ErrorContext(ctx, msg, "org_id", orgID, "webhook_id", webhookID, "error", err)
	}
}
