package secrets

import (
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
}

// Rotated returns the record after making next current at now. Only one
// previous secret is kept: rotating again during a grace period ends the
// older one's grace early, which is what a tenant rotating twice wants.
func (r Record) Rotated(next string, now time.Time, grace time.Duration) Record {
	out := Record{Current: next}
	if grace > 0 {
		out.Previous = r.Current
		// Whole seconds: the stored value is plain RFC 3339, readable by any
		// tool; the grace ends at most a second early.
		out.PreviousExpiresAt = now.Add(grace).UTC().Truncate(time.Second)
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
