package deliverylog

import (
	"context"
	"strings"
	"time"
)

// DeadLetter is one entry of a webhook's index of its dead letters, written
// by deliver just before it sends the letter to the shared DLQ: a tenant's
// recover reads its own letters here instead of scanning the DLQ, so no
// other tenant's dead letters count against it.
type DeadLetter struct {
	OrgID      string
	WebhookID  string
	DeliveryID string
	// At is the attempt that dead-lettered it (the DLQ's last_attempt_at,
	// here to the nanosecond): what a recover's since compares.
	At time.Time
	// Message is the delivery queue body, which a recover sends again.
	Message string
}

// ID is the dead letter's id in its webhook's index, which deliver also
// puts on the DLQ message (message.AttrDeadLetterID), so that the
// operators' tools find the index item of a DLQ letter. Its time comes
// first, so a webhook's ids sort by when they died.
func (d DeadLetter) ID() string {
	return d.At.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") + "#" + d.DeliveryID
}

// Ref names one index item: a DLQ letter's organization, webhook and
// dead_letter_id attribute.
type Ref struct {
	OrgID, WebhookID, ID string
}

// Ref is d's own reference.
func (d DeadLetter) Ref() Ref { return Ref{OrgID: d.OrgID, WebhookID: d.WebhookID, ID: d.ID()} }

// Valid reports whether r can name an index item: all three set, and an id
// of DeadLetter.ID's shape (a time, then a delivery id).
func (r Ref) Valid() bool {
	at, id, ok := strings.Cut(r.ID, "#")
	if !ok || r.OrgID == "" || r.WebhookID == "" || id == "" {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, at)
	return err == nil
}

// Who closed a dead letter's index item (Closed.By).
const (
	ClosedByRecover = "recover" // the tenant's recover sent it back
	ClosedByRedrive = "redrive" // an operator's redrive sent it back
	ClosedByPurge   = "purge"   // an operator's purge deleted it
	// ClosedByRetried: deliver's DLQ send failed; the message was kept,
	// and a later receive delivered it or dead-lettered it anew.
	ClosedByRetried = "retried"
)

// Closed is the tombstone of a dead letter whose fate was decided; the
// zero value is an open item, or none.
type Closed struct {
	By string
	At time.Time
}

// DeadLetterIndex is the per-webhook index of dead letters
// (dynamo.DeadLetterIndex). An item is never deleted before its TTL, only
// closed (a tombstone): the DLQ copy of a letter a tenant recovered stays
// in the DLQ, and an operator's redrive that finds the tombstone deletes
// it instead of delivering it twice. A missing item always means "redrive
// normally" (a letter dead-lettered by an older version, or by SQS's own
// redrive, has none).
type DeadLetterIndex interface {
	// Add writes the item; the same id written again keeps the first
	// (and its tombstone, if closed).
	Add(ctx context.Context, d DeadLetter) error
	// Open returns up to limit of the webhook's open items dead at or after
	// since (whole seconds, as the DLQ's filter), oldest first; more says
	// further ones may follow (the limit, or the read bound, stopped it).
	Open(ctx context.Context, orgID, webhookID string, since time.Time, limit int) (ds []DeadLetter, more bool, err error)
	// Close marks the item closed, by whom and when, unless it is already
	// (or absent: expired). It drops the body, which is no longer needed.
	Close(ctx context.Context, r Ref, by string, at time.Time) error
	// State returns the item's tombstone; zero when open or absent.
	State(ctx context.Context, r Ref) (Closed, error)
	// Claim marks the item as being sent back by one caller for d, unless
	// it is closed or another caller's claim stands: a tenant's recover and
	// an operator's redrive take the same letter at the same time, and
	// only the one holding the claim sends it. A claim that runs out (its
	// caller stopped before closing the item) frees the letter again.
	Claim(ctx context.Context, r Ref, d time.Duration) (Claim, error)
	// Release ends a claim whose send failed, so that a retry sends the
	// letter at once (a no-op on an item gone).
	Release(ctx context.Context, r Ref) error
}

// Claim is what DeadLetterIndex.Claim found.
type Claim int

const (
	// Claimed: this caller holds the item; it sends the letter, then
	// closes the item.
	Claimed Claim = iota
	// ClaimNoItem: no item (or one past its TTL) to claim: the letter is
	// sent as one without an index item, never skipped for want of one.
	ClaimNoItem
	// ClaimClosed: the item is closed, the letter was sent back or purged.
	ClaimClosed
	// ClaimHeld: another caller's claim stands: it is sending the letter.
	ClaimHeld
)
