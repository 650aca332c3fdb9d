package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Record is the state of one webhook's secret, shared by every adapter so
// the rotation rules live in one place. Its JSON form is the SecretString
// stored in AWS Secrets Manager and the value kept by the local store.
type Record struct {
	Current  string `json:"current"`
	Previous string `json:"previous,omitempty"`
	// PreviousExpiresAt bounds the rotation grace period; zero when there is
	// no previous secret.
	PreviousExpiresAt time.Time `json:"previous_expires_at,omitzero"`
	// Rotation names the write that made the record (a rotation, or the
	// undo of one); the API records it on the webhook item too, so that a
	// reader can tell the record the item counts from any other, and an
	// undo can replace only the record its failed rotation wrote. Empty in
	// a record no rotation wrote (a create, or one written before ids).
	Rotation string `json:"rotation,omitempty"`
}

// Rotation is one change of a webhook's secret: ID (NewRotation) names
// the record it writes.
type Rotation struct {
	ID     string
	Secret string
	Grace  time.Duration
}

// NewRotation makes secret current under a new random id, keeping the
// previous secret valid for grace.
func NewRotation(secret string, grace time.Duration) Rotation {
	return Rotation{ID: NewRotationID(), Secret: secret, Grace: grace}
}

// NewRotationID is 128 random bits in hex: unique per write, 32
// characters (also a valid Secrets Manager ClientRequestToken).
func NewRotationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b[:])
}

// Made says r is the record this rotation wrote: a retry that finds it
// (a write that landed but answered an error or a conflict) must not
// rotate again over it, which would drop the secret still in its grace.
func (rot Rotation) Made(r Record) bool {
	return rot.ID != "" && r.Rotation == rot.ID
}

// Rotated returns the record after making next current at now. Only one
// previous secret is kept: rotating again during a grace period ends the
// older one's grace early, which is what a tenant rotating twice wants.
func (r Record) Rotated(rot Rotation, now time.Time) Record {
	out := Record{Current: rot.Secret, Rotation: rot.ID}
	if rot.Grace > 0 {
		out.Previous = r.Current
		// Whole seconds: the stored value is plain RFC 3339, readable by any
		// tool; the grace ends at most a second early.
		out.PreviousExpiresAt = now.Add(rot.Grace).UTC().Truncate(time.Second)
	}
	return out
}

// Active lists the secrets valid at now, newest first.
func (r Record) Active(now time.Time) []string {
	out := []string{r.Current}
	if r.Previous != "" && now.Before(r.PreviousExpiresAt) {
		out = append(out, r.Previous)
	}
	return out
}

// CheckSecret rejects values that would make signatures meaningless. The
// error never repeats the value.
func CheckSecret(secret string) error {
	if secret == "" {
		return errors.New("secrets: empty signing secret")
	}
	return nil
}

// CheckWrite checks what every store checks before it stores secret for
// a webhook: the ids (CheckIDs) and the secret (CheckSecret).
func CheckWrite(orgID, webhookID, secret string) error {
	if err := CheckIDs(orgID, webhookID); err != nil {
		return err
	}
	return CheckSecret(secret)
}

// CheckIDs keeps ids to characters valid in a Secrets Manager name and free
// of "/", so "<prefix>/<org>/<id>" can never name another tenant's secret.
func CheckIDs(orgID, webhookID string) error {
	for _, id := range []string{orgID, webhookID} {
		if id == "" {
			return errors.New("secrets: empty organization or webhook id")
		}
		for _, c := range id {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
				c == '_' || c == '-' || c == '.' || c == '@' || c == '+' || c == '=') {
				return fmt.Errorf("secrets: id %q has a character not allowed in a secret name", id)
			}
		}
	}
	return nil
}
