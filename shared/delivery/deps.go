// Package delivery is the deliver Lambda's handler: it POSTs each delivery
// message of an SQS batch to its endpoint, signed, and applies the outcome
// rules of the README's "How it works" (delivered, retried by visibility-timeout
// backoff, dead-lettered with a reason, webhook removed on 410, skipped).
// It is plain Go over the small interfaces below; functions/deliver wires
// the adapters.
package delivery

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// WebhookGetter loads a webhook (webhook.Store, or a WebhookCache over it).
type WebhookGetter interface {
	Get(ctx context.Context, orgID, id string) (webhook.Webhook, error)
}

// SecretSource returns the webhook's signing secrets active at now,
// newest first, from the record its item counts (secret version, last
// rotation's id and grace end): SecretCache over the secrets store.
type SecretSource interface {
	Active(ctx context.Context, w webhook.Webhook, now time.Time) ([]string, error)
}

// Queue is the part of *sqsqueue.Client the handler uses.
type Queue interface {
	ChangeVisibility(ctx context.Context, queueURL, receiptHandle string, d time.Duration) error
	Delete(ctx context.Context, queueURL, receiptHandle string) error
	Send(ctx context.Context, queueURL string, m queue.Message) error
}

// Records is the delivery record store (dynamo.DeliveryStore): written
// only before a retry, read only when a message comes back.
type Records interface {
	// Get returns the record; deliverylog.ErrNotFound when there is none.
	Get(ctx context.Context, deliveryID string) (deliverylog.DeliveryRecord, error)
	Save(ctx context.Context, rec deliverylog.DeliveryRecord) error
	// EndResend lets copies of the schedules the resend-th resend
	// superseded count again, if the record is still at that resend.
	EndResend(ctx context.Context, deliveryID string, resend int) error
}

// AttemptRecorder appends to the attempt log (dynamo.AttemptLog). message
// is the queue body when no delivery record keeps it, "" otherwise.
type AttemptRecorder interface {
	Append(ctx context.Context, a deliverylog.Attempt, message string) error
}

// Remover deletes a webhook whose endpoint answered 410 Gone, with its
// secret (WebhookRemover), if it is still the webhook read, the one POSTed
// to: else webhook.ErrMoved, and nothing is deleted.
type Remover interface {
	Remove(ctx context.Context, read webhook.Webhook) error
}

// Deps is everything the handler needs. Client, Logger, Now and Jitter
// have defaults; the rest are required.
type Deps struct {
	Webhooks WebhookGetter
	Secrets  SecretSource
	Queue    Queue
	Records  Records
	Attempts AttemptRecorder
	Remover  Remover
	// Health, Parked and Notify keep endpoint health (health.go): count
	// failures, disable past the threshold, park and announce. Nil turns
	// that part off (tests of other rules).
	Health HealthStore
	Parked deliverylog.ParkedStore
	Notify Notifier
	// DeadLetters is each webhook's index of its dead letters, written
	// before each DLQ send, which the tenant's recover reads. Nil writes
	// none (tests of other rules).
	DeadLetters deliverylog.DeadLetterIndex
	// Config supplies RetrySchedule, DeliveryTimeout, HeaderPrefix,
	// DeliveryQueues, DLQURL and AllowLoopback.
	Config config.Config
	// Client POSTs to endpoints; default netguard.NewClient from Config.
	// Tests inject one trusting an httptest TLS certificate.
	Client *http.Client
	Logger *slog.Logger
	Now    func() time.Time
	// Jitter returns a random duration in [0, max]; it spreads retries of
	// a burst so an endpoint that recovers is not hit by all at once.
	Jitter func(max time.Duration) time.Duration
	// Version is the User-Agent version; signing.DefaultVersion() if empty.
	Version string
}

func randomJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max + 1)
}
