package secretmigrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// RecordStore is a secrets.Store that also creates whole records (the
// migration's copy): both adapters.
type RecordStore interface {
	secrets.Store
	Store
}

// Bridge is the store a stack runs while it moves between stores
// (secretStore=migrating-to-...): every write goes to both, so a webhook
// created or rotated during the move has its secrets in the target store
// once the migration has copied it, and reads take the source's record,
// or the target's when the source has none. The source is the store the
// stack ran on alone before, written first by every write here and never
// by the migration, so it is never older than the target (which may hold
// an older record: a move back before the old copies were removed, or the
// migration's copy being overwritten). Once every webhook is copied the
// stack can switch to the target alone with no webhook left behind.
type Bridge struct {
	Target, Source RecordStore
	Now            func() time.Time // rotation time; time.Now when nil
	// Log reports a failed write that could not be undone; slog.Default
	// when nil.
	Log *slog.Logger
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
// hold the same record (the same grace end) whichever a reader takes. The
// first write is made only over the record read (replace), and the
// rotation made again over the record of a write that landed in between
// (secrets.Serialized): of two concurrent rotations both secrets are kept.
func (b Bridge) Rotate(ctx context.Context, orgID, webhookID string, rot secrets.Rotation) (secrets.Record, error) {
	if err := secrets.CheckSecret(rot.Secret); err != nil {
		return secrets.Record{}, err
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	var base secrets.Record // what the last write was made over
	err := secrets.Serialized(func() error {
		r, fromSource, err := b.read(ctx, orgID, webhookID)
		switch {
		case err != nil:
			return err
		case rot.Made(r) && fromSource:
			// The source write landed but answered a conflict (an SDK
			// retry of it): not made again, only copied to the target.
			return b.copyToTarget(ctx, orgID, webhookID, base, r)
		case rot.Made(r):
			return nil
		}
		base = r
		return b.replace(ctx, orgID, webhookID, r, fromSource, r.Rotated(rot, now()))
	})
	return base, err
}

// Record is the source's record, else the target's.
func (b Bridge) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	r, _, err := b.read(ctx, orgID, webhookID)
	return r, err
}

// read is Record, and whether it came from the source.
func (b Bridge) read(ctx context.Context, orgID, webhookID string) (secrets.Record, bool, error) {
	r, err := b.Source.Record(ctx, orgID, webhookID)
	if errors.Is(err, secrets.ErrNotFound) {
		r, err = b.Target.Record(ctx, orgID, webhookID)
		return r, false, err
	}
	return r, true, err
}

// ReplaceRecord writes r over the webhook's existing records (see replace).
func (b Bridge) ReplaceRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	before, fromSource, err := b.read(ctx, orgID, webhookID)
	if err != nil {
		return err
	}
	return b.replace(ctx, orgID, webhookID, before, fromSource, r)
}

// SwapRecord writes r over the webhook's existing records while the one
// read (the source's, else the target's) is the one named from, and the
// first write only while that store still holds it (its SwapRecord):
// secrets.ErrConflict otherwise.
func (b Bridge) SwapRecord(ctx context.Context, orgID, webhookID, from string, r secrets.Record) error {
	before, fromSource, err := b.read(ctx, orgID, webhookID)
	switch {
	case err != nil:
		return err
	case before.Rotation != from:
		return fmt.Errorf("secrets: write webhook %s: %w", webhookID, secrets.ErrConflict)
	}
	return b.replace(ctx, orgID, webhookID, before, fromSource, r)
}

// replace writes next over the existing records, never creating one (a
// write racing a delete answers secrets.ErrNotFound and brings nothing
// back), and the first write only while its store still holds before
// (SwapRecord: secrets.ErrConflict otherwise). The source is written first: a migration copying the webhook
// meanwhile may overwrite the target with the record it read before, and
// reads the source again after its copy (Migration.copy). A target with no
// record yet is left to the migration, which copies the source's. If the
// target write fails, the source gets before back, so a write that
// answered an error never becomes current later (by the reads here, or a
// migration run copying the source). fromSource says before is the
// source's record; when it is not, the source has none and the target
// alone is written.
func (b Bridge) replace(ctx context.Context, orgID, webhookID string, before secrets.Record, fromSource bool, next secrets.Record) error {
	if !fromSource {
		return b.Target.SwapRecord(ctx, orgID, webhookID, before.Rotation, next)
	}
	if err := b.Source.SwapRecord(ctx, orgID, webhookID, before.Rotation, next); err != nil {
		return err
	}
	return b.copyToTarget(ctx, orgID, webhookID, before, next)
}

// targetCopies bounds copyToTarget's copies of a source that keeps
// changing: each change is another write, which copies its own record.
const targetCopies = 3

// copyToTarget writes next, which the source holds, to the target, then
// the source's record again while the source holds another by the time
// that write landed: the target write is not conditional, so of two
// concurrent writes the earlier one's target write may land last, and
// whichever lands last then finds the source's latest record and copies
// it, so no target holds an older record than a write that answered
// success. If a copy fails the source gets before back
// (undo, only over next's own record).
func (b Bridge) copyToTarget(ctx context.Context, orgID, webhookID string, before, next secrets.Record) error {
	wrote := next
	err := b.Target.ReplaceRecord(ctx, orgID, webhookID, wrote)
	for range targetCopies {
		if err != nil {
			break
		}
		latest, readErr := b.Source.Record(ctx, orgID, webhookID)
		if readErr != nil || same(latest, wrote) && latest.Rotation == wrote.Rotation {
			break // deleted meanwhile (the delete removes both), or copied
		}
		wrote = latest
		err = b.Target.ReplaceRecord(ctx, orgID, webhookID, wrote)
	}
	if err == nil || errors.Is(err, secrets.ErrNotFound) {
		return nil
	}
	if undo := b.undo(context.WithoutCancel(ctx), orgID, webhookID, next, before); undo != nil {
		b.log().Error("secret store migration: a failed write's new record stays in the source store; rotate the webhook's secret again",
			slog.String("org_id", orgID), slog.String("webhook_id", webhookID),
			slog.String("write_error", err.Error()), slog.String("undo_error", undo.Error()))
	}
	return err
}

// undo puts before back into the source where the failed write left next
// (secrets.Undo: never over a record written since, which stands and is
// logged; a webhook deleted meanwhile stays deleted).
func (b Bridge) undo(ctx context.Context, orgID, webhookID string, next, before secrets.Record) error {
	undone, err := secrets.Undo(ctx, b.Source, orgID, webhookID, next, before)
	if undone == secrets.Superseded {
		b.log().Warn("secret store migration: a failed write was not undone: the record changed since",
			slog.String("org_id", orgID), slog.String("webhook_id", webhookID))
	}
	return err
}

func (b Bridge) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
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
