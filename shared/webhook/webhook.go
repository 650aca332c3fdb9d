// Package webhook is the domain of a tenant's endpoint subscription. It
// imports no AWS SDK: stores are adapters behind Store.
package webhook

import (
	"context"
	"errors"
	"slices"
	"time"
)

// AllEvents is the event_types wildcard.
const AllEvents = "*"

// Webhook is one registered endpoint of one organization. The signing
// secret is never part of it: it lives only in the secrets store.
type Webhook struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"organization_id"`
	Name       string    `json:"name"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"event_types"` // ["*"] when AllEvents
	AllEvents  bool      `json:"all_events"`
	Enabled    bool      `json:"enabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// DisabledReason is DisabledFailing when hookrelay disabled it, ""
	// otherwise; DisabledAt is when (zero unless DisabledReason is set).
	DisabledReason string    `json:"disabled_reason,omitempty"`
	DisabledAt     time.Time `json:"disabled_at,omitzero"`
	// DisabledNoticePending: the webhook.disabled notice of the disable at
	// DisabledAt is not known to be on the bus yet (its put failed, or the
	// process stopped before it). Internal: not part of the API's view.
	DisabledNoticePending bool   `json:"-"`
	Health                Health `json:"health"`
	// SecretVersion counts the signing secret's rotations: delivery keys
	// its secrets cache by it, so a rotation is seen as soon as the webhook
	// is read again. Internal: not part of the API's view.
	SecretVersion int `json:"-"`
	// SecretRotation is the id of the secret record the last rotation (or
	// its undo) wrote (secrets.Record.Rotation): delivery keeps only that
	// record for SecretVersion, never an older one a stale read returns.
	// Empty if never rotated since rotations had ids. Internal.
	SecretRotation string `json:"-"`
	// PreviousSecretExpiresAt is when the secret current before the last
	// rotation stops signing (zero if never rotated), so a tenant can see
	// how long the old one stays valid without asking the secret store.
	// The API shows it only while that grace lasts.
	PreviousSecretExpiresAt time.Time `json:"previous_secret_expires_at,omitzero"`
	// ParkedFrom is set, never stored, by the API's get of one webhook
	// while deliveries parked for it remain: a recover from then queues
	// them all (the portal offers one while it is set).
	ParkedFrom time.Time `json:"parked_from,omitzero"`
	// DeadLettersFrom is set while a recover owes the webhook a read of its
	// dead letters from that time: one did not read them all (another of
	// the organization's recovers had just read them, there were more than
	// one call sends, or the read failed). A recover from that time or
	// earlier that reads them all clears it; the portal offers Recover
	// while it is set.
	DeadLettersFrom time.Time `json:"dead_letters_from,omitzero"`
}

// Parks reports whether deliveries to w are parked rather than POSTed:
// hookrelay disabled it for failing, and only a recover (or the tenant's
// enable) lets them through again.
func (w Webhook) Parks() bool { return !w.Enabled && w.DisabledReason == DisabledFailing }

// Subscribes reports whether an event of that name goes to this webhook.
func (w Webhook) Subscribes(eventName string) bool {
	return w.AllEvents || slices.Contains(w.EventTypes, eventName)
}

// Wants reports whether a queued delivery of eventName (test: the
// tenant's own test) is still for w: a change of its event_types reaches
// queued deliveries (retries, resends, redrives, recovers) as a change of
// its URL or enabled state does. Fan-out sends every event, hookrelay's
// own notices included, only to webhooks that subscribe to it (all_events
// covers every type), so this never drops what was sent on purpose. The
// one delivery sent whatever w subscribes to is the tenant's own test
// (POST …/test, and a resend of it): it is addressed to w alone, and is
// always wanted.
func (w Webhook) Wants(eventName string, test bool) bool {
	return test || w.Subscribes(eventName)
}

// Store errors. Adapters wrap them so callers use errors.Is.
var (
	ErrNotFound      = errors.New("webhook not found")
	ErrLimitReached  = errors.New("webhook limit reached for organization")
	ErrInvalidCursor = errors.New("invalid cursor")
	// ErrChanged: Update found the webhook enabled or disabled since the
	// caller read it; read it again and apply the change to that.
	ErrChanged = errors.New("webhook enabled or disabled since it was read")
	// ErrSlotNotReleased: Delete removed the webhook but could not give its
	// slot back to the org's count. The webhook is gone (its secret must
	// still be deleted); the count stays one high, which errs on the side
	// of the cap.
	ErrSlotNotReleased = errors.New("webhook deleted but its slot was not released")
	// ErrMoved: a 410's removal (DeleteGone) found the webhook no longer
	// at the URL that answered, or disabled by its tenant, since the
	// delivery read it; the webhook is kept.
	ErrMoved = errors.New("webhook moved to another URL or disabled by its tenant since it was read")
)

// NotSubscribedError: a delivery asked for (a tenant's resend) is of an
// event type the webhook no longer subscribes to, which deliver would
// only skip.
type NotSubscribedError struct{ EventName string }

func (e *NotSubscribedError) Error() string { return "webhook does not subscribe to " + e.EventName }

// Gone reports whether Delete's answer means the webhook no longer exists:
// deleted now, deleted before (ErrNotFound), or deleted with its slot kept.
// Callers clean up after a webhook (its secret) whenever this holds, so a
// failure after the delete cannot orphan anything.
func Gone(deleteErr error) bool {
	return deleteErr == nil || errors.Is(deleteErr, ErrNotFound) || errors.Is(deleteErr, ErrSlotNotReleased)
}

// Store persists webhooks. Every method is scoped by organization: there is
// no way to reach another org's webhook through it.
type Store interface {
	// Create stores a new webhook; ErrLimitReached when the org already has maxPerOrg.
	Create(ctx context.Context, w Webhook, maxPerOrg int) error
	// CheckLimit reads whether the org already has maxPerOrg webhooks
	// (ErrLimitReached), so a create can be refused before it writes
	// anything else; Create stays the guard against racing creates.
	CheckLimit(ctx context.Context, orgID string, maxPerOrg int) error
	Get(ctx context.Context, orgID, id string) (Webhook, error)
	// List returns up to limit webhooks in creation order and an opaque
	// cursor for the next page ("" when there is none).
	List(ctx context.Context, orgID string, limit int, cursor string) ([]Webhook, string, error)
	// Update replaces the mutable fields of read, the webhook as the
	// caller read it, with w's: ErrNotFound if it is gone, ErrChanged if
	// it was enabled or disabled since the read (hookrelay's disable for
	// failing, a recover, another update), which the caller's w would
	// otherwise undo.
	Update(ctx context.Context, read, w Webhook) error
	// BumpSecretVersion counts a rotation of its signing secret and
	// records until when the previous one signs and the id of the record
	// it wrote (ErrNotFound if gone); Update never changes any of them.
	BumpSecretVersion(ctx context.Context, orgID, id string, previousExpiresAt time.Time, rotation string) error
	// Delete removes it (ErrNotFound if it did not exist; an error wrapping
	// ErrSlotNotReleased if it was removed but the org's count was not
	// decremented).
	Delete(ctx context.Context, orgID, id string) error
	// ForEachSubscribed calls fn with successive pages of the org's enabled
	// webhooks subscribed to eventName or to all events.
	ForEachSubscribed(ctx context.Context, orgID, eventName string, fn func([]Webhook) error) error
}
