package secretmigrate

import (
	"context"
	"errors"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// RecordStore is a secrets.Store that also writes whole records: both adapters.
type RecordStore interface {
	secrets.Store
	Store
}

// Bridge is the store a stack runs while it moves between stores
// (secretStore=migrating-to-...): every write goes to both, so a webhook
// created or rotated during the move has its secrets in the target store
// however far the migration has got, and reads take the target's record,
// or the source's while the migration has not copied it yet. Once every
// webhook is copied the stack can switch to the target alone with no
// webhook left behind.
type Bridge struct {
	Target, Source RecordStore
	Now            func() time.Time // rotation time; time.Now when nil
}

var _ secrets.Store = Bridge{}

// Create stores the first secret in both; if the second write fails the
// first is undone, so a failed create leaves nothing (the API removes
// both through ScheduleDeletion if the webhook cannot be written).
func (b Bridge) Create(ctx context.Context, orgID, webhookID, secret string) error {
	if err := b.Target.Create(ctx, orgID, webhookID, secret); err != nil {
		return err
	}
	if err := b.Source.Create(ctx, orgID, webhookID, secret); err != nil {
		return errors.Join(err, b.Target.ScheduleDeletion(context.WithoutCancel(ctx), orgID, webhookID))
	}
	return nil
}

// Rotate computes the rotated record once and writes it to both, so both
// hold the same record (the same grace end) whichever a reader takes.
func (b Bridge) Rotate(ctx context.Context, orgID, webhookID, newSecret string, grace time.Duration) error {
	if err := secrets.CheckSecret(newSecret); err != nil {
		return err
	}
	r, err := b.Record(ctx, orgID, webhookID)
	if err != nil {
		return err
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	return b.PutRecord(ctx, orgID, webhookID, r.Rotated(newSecret, now(), grace))
}

// Record is the target's record, else the source's.
func (b Bridge) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	r, err := b.Target.Record(ctx, orgID, webhookID)
	if errors.Is(err, secrets.ErrNotFound) {
		return b.Source.Record(ctx, orgID, webhookID)
	}
	return r, err
}

// PutRecord writes r to both, the source first: a migration copying the
// webhook meanwhile may overwrite the target with the record it read
// before, and reads the source again after its copy (Migration.copy). A
// rotation whose source write that read missed still has its target write
// to come, after the migration's.
func (b Bridge) PutRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	if err := b.Source.PutRecord(ctx, orgID, webhookID, r); err != nil {
		return err
	}
	return b.Target.PutRecord(ctx, orgID, webhookID, r)
}

// ScheduleDeletion removes the secrets from both; ErrNotFound only when
// neither had any.
func (b Bridge) ScheduleDeletion(ctx context.Context, orgID, webhookID string) error {
	errT := b.Target.ScheduleDeletion(ctx, orgID, webhookID)
	errS := b.Source.ScheduleDeletion(ctx, orgID, webhookID)
	switch {
	case errors.Is(errT, secrets.ErrNotFound) && errors.Is(errS, secrets.ErrNotFound):
		return errT
	case errT != nil && !errors.Is(errT, secrets.ErrNotFound):
		return errT
	case errS != nil && !errors.Is(errS, secrets.ErrNotFound):
		return errS
	}
	return nil
}
