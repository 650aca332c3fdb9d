// Package healthnotice tells an organization that one of its endpoints was
// disabled for failing or enabled again: it publishes webhook.disabled and
// webhook.enabled (catalog types) through the normal pipeline, so the
// org's endpoints subscribed to them receive a signed delivery like any
// other event. No AWS SDK here: it publishes through the bus port.
package healthnotice

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/catalog/ownevents"
	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Event types (catalog/types/webhook.{disabled,enabled}.schema.json; every
// catalog must define them).
const (
	Disabled = ownevents.WebhookDisabled
	Enabled  = ownevents.WebhookEnabled
)

// Reasons of a webhook.enabled event.
const (
	ReasonRecovered = "recovered" // POST /webhooks/{id}/recover
	ReasonTenant    = "tenant"    // PATCH enabled=true
)

// IsNotice reports whether an event is one of these notices. A parked
// endpoint does not keep them for a recover: they describe its own state.
func IsNotice(eventName string) bool { return eventName == Disabled || eventName == Enabled }

// Subject is the webhook a notice's data is about ("" for any other
// event): fan-out sends a notice to the organization's other endpoints.
func Subject(eventName string, data json.RawMessage) string {
	if !IsNotice(eventName) {
		return ""
	}
	var d struct {
		WebhookID string `json:"webhook_id"`
	}
	if json.Unmarshal(data, &d) != nil {
		return ""
	}
	return d.WebhookID
}

// Publisher puts the notices on the bus.
type Publisher struct{ Bus bus.Bus }

type disabledData struct {
	WebhookID           string    `json:"webhook_id"`
	Name                string    `json:"name"`
	Reason              string    `json:"reason"`
	DisabledAt          time.Time `json:"disabled_at"`
	FailingSince        time.Time `json:"failing_since,omitzero"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
}

type enabledData struct {
	WebhookID string    `json:"webhook_id"`
	Name      string    `json:"name"`
	Reason    string    `json:"reason"`
	EnabledAt time.Time `json:"enabled_at"`
}

// Disabled announces w, disabled for failing at w.DisabledAt (w.Health).
// The event id is derived from the webhook and the disable, so the notice
// put again after a failed put (README "Telling the tenant") is the same
// event to its receivers.
func (p Publisher) Disabled(ctx context.Context, w webhook.Webhook) error {
	return p.put(ctx, w.OrgID, Disabled, DisabledEventID(w), w.DisabledAt, disabledData{
		WebhookID: w.ID, Name: message.ToSQSText(w.Name), Reason: w.DisabledReason, DisabledAt: w.DisabledAt.UTC(),
		FailingSince: w.Health.FailingSince.UTC(), ConsecutiveFailures: w.Health.ConsecutiveFailures,
	})
}

// Enabled announces w, enabled again at at for reason.
func (p Publisher) Enabled(ctx context.Context, w webhook.Webhook, reason string, at time.Time) error {
	return p.put(ctx, w.OrgID, Enabled, ids.NewAt(ids.EventPrefix, at), at, enabledData{WebhookID: w.ID, Name: message.ToSQSText(w.Name), Reason: reason, EnabledAt: at.UTC()})
}

// DisabledEventID is the id of w's webhook.disabled notice for its disable
// at w.DisabledAt.
func DisabledEventID(w webhook.Webhook) string {
	return ids.DerivedAt(ids.EventPrefix, w.DisabledAt, Disabled+"#"+w.OrgID+"#"+w.ID)
}

func (p Publisher) put(ctx context.Context, orgID, name, eventID string, at time.Time, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	err = p.Bus.Put(ctx, []bus.Event{{OrgID: orgID, EventName: name, EventID: eventID, Data: raw, Time: at}})
	if err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	return nil
}
