// Package secrets holds webhook signing secrets: their format and the Store
// interface with its rotation rules (deliver caches them per version:
// delivery.SecretCache).
// The Secrets Manager adapter is package awssecrets; dev and the tests use
// devsecrets.
package secrets

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"

	"github.com/hookrelay/hookrelay/verify"
)

// Prefix starts every signing secret (Standard Webhooks convention); the
// receiver package verify defines it.
const Prefix = verify.SecretPrefix

// ErrNotFound means the webhook has no secret (deleted, or never created).
var ErrNotFound = errors.New("signing secret not found")

// ErrExists means Create was called for a webhook that already has a secret.
var ErrExists = errors.New("signing secret already exists")

// ErrConflict means a conditional write found the webhook's record
// replaced by another write since it was read (SwapRecord), or a rotation
// lost that race more than its tries allow (Serialized).
var ErrConflict = errors.New("signing secret changed meanwhile")

// Generate returns "whsec_" + standard padded base64 of 32 random bytes.
func Generate() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return Prefix + base64.StdEncoding.EncodeToString(b[:]), nil
}

// Store keeps one secret per webhook. Values never leave it except through
// Record (for signing) and the create/rotate responses.
type Store interface {
	Create(ctx context.Context, orgID, webhookID, secret string) error
	// Rotate makes rot.Secret current in a record named rot.ID and keeps the
	// previous one valid for rot.Grace. Idempotent by rot.ID: when the
	// record already is rot's (a retry of a write that landed), it writes
	// nothing. over is the record the rotation was made over (by its last
	// write; zero when it wrote nothing), also with an error, since a write
	// can land and answer one: what an undo of it restores (Undo).
	Rotate(ctx context.Context, orgID, webhookID string, rot Rotation) (over Record, err error)
	// Record returns the webhook's secrets with the end of a rotation's
	// grace: Record.Active picks those that sign at a given time, so a
	// reader that keeps the record stops signing with a retired secret on
	// time. ErrNotFound when there is none.
	Record(ctx context.Context, orgID, webhookID string) (Record, error)
	// ReplaceRecord makes the webhook's existing secret hold r (a rotation
	// computed elsewhere, or one undone). It never creates nor restores a
	// secret: ErrNotFound when there is none, so a write racing a delete
	// cannot bring the deleted webhook's secret back.
	ReplaceRecord(ctx context.Context, orgID, webhookID string, r Record) error
	// SwapRecord is ReplaceRecord only while the webhook's record is still
	// the one named from (its Rotation; "" names a record without one):
	// ErrConflict when another write replaced it. envelope and local make
	// the check and the write one step; the Secrets Manager adapter checks
	// with a read just before a plain write (it does not use Secrets
	// Manager's staging-label compare-and-swap), so there another write can
	// still land in between.
	SwapRecord(ctx context.Context, orgID, webhookID, from string, r Record) error
	// ScheduleDeletion removes the secret (in AWS: after the recovery window).
	ScheduleDeletion(ctx context.Context, orgID, webhookID string) error
}
