package portal

import (
	"net/url"
	"time"

	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// webhooksAPI is the JSON API path the portal calls (the public API contract).
const webhooksAPI = "/api/v1/organization/webhooks"

func webhookAPI(id string) string { return webhooksAPI + "/" + url.PathEscape(id) }

// hook is a webhook as the API returns it: the domain type carries the
// API's JSON names.
type hook = webhook.Webhook

type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

type createdHook struct {
	webhook.Webhook
	SigningSecret string `json:"signing_secret"`
}

type rotatedSecret struct {
	SigningSecret           string    `json:"signing_secret"`
	PreviousSecretExpiresAt time.Time `json:"previous_secret_expires_at"`
}

// recovered is the answer of POST .../recover: what it queued again.
type recovered = delivery.RecoverResult

type queued struct {
	DeliveryID string `json:"delivery_id"`
}

// attempts are listed as the attempt log's own type.
type attemptPage = list[deliverylog.Attempt]

// webhookInput is the create and PATCH body the forms build.
type webhookInput struct {
	Name       *string  `json:"name,omitempty"`
	URL        *string  `json:"url,omitempty"`
	EventTypes []string `json:"event_types"` // nil: absent (null); empty: "none", which the API refuses
	AllEvents  *bool    `json:"all_events,omitempty"`
	Enabled    *bool    `json:"enabled,omitempty"`
}
