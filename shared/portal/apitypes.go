package portal

import (
	"net/url"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// JSON API paths the portal calls (the public API contract).
const (
	webhooksAPI   = "/api/v1/organization/webhooks"
	eventTypesAPI = "/api/v1/event-types"
)

func webhookAPI(id string) string { return webhooksAPI + "/" + url.PathEscape(id) }

// hook is a webhook as the API returns it.
type hook struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"event_types"`
	AllEvents  bool      `json:"all_events"`
	Enabled    bool      `json:"enabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

type createdHook struct {
	hook
	SigningSecret string `json:"signing_secret"`
}

type rotatedSecret struct {
	SigningSecret           string    `json:"signing_secret"`
	PreviousSecretExpiresAt time.Time `json:"previous_secret_expires_at"`
}

type queued struct {
	DeliveryID string `json:"delivery_id"`
}

// attempts are listed as the attempt log's own type.
type attemptPage = list[deliverylog.Attempt]

// webhookInput is the create and PATCH body the forms build.
type webhookInput struct {
	Name       *string  `json:"name,omitempty"`
	URL        *string  `json:"url,omitempty"`
	EventTypes []string `json:"event_types,omitempty"`
	AllEvents  *bool    `json:"all_events,omitempty"`
	Enabled    *bool    `json:"enabled,omitempty"`
}
