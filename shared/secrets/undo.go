package secrets

import (
	"context"
	"errors"
)

// Undone is what Undo found.
type Undone int

const (
	// Restored: the store held exactly what the failed write wrote, and
	// holds before again.
	Restored Undone = iota
	// Superseded: another write changed the record since the failed one
	// (which may still hold its secret, and may have answered success):
	// left alone, for the caller to report.
	Superseded
	// Gone: the failed write did not land, was replaced twice since, or
	// the webhook's secrets were deleted: nothing to undo.
	Gone
)

// Undo puts restored (the record the write was made over, under a new id)
// in store where a write that answered an error (but may have landed)
// wrote wrote: only while the store holds that write's record (its
// rotation id and current secret, whatever record it was made over), so a
// write made since is never erased. The restore is conditional on the record still being that
// write's (SwapRecord): where it is one conditional step (envelope,
// local) nothing landing after this check is overwritten; the Secrets
// Manager adapter's is check-then-write, so a write landing in the round
// trip of SwapRecord's own check still is.
func Undo(ctx context.Context, store Store, orgID, webhookID string, wrote, restored Record) (Undone, error) {
	now, err := store.Record(ctx, orgID, webhookID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Gone, nil
	case err != nil:
		return Gone, err
	case now.Rotation == wrote.Rotation && now.Current == wrote.Current:
		err := store.SwapRecord(ctx, orgID, webhookID, wrote.Rotation, restored)
		switch {
		case errors.Is(err, ErrNotFound):
			return Gone, nil
		case errors.Is(err, ErrConflict): // replaced since the read
			return Superseded, nil
		}
		return Restored, err
	case now.Current == wrote.Current || now.Previous == wrote.Current:
		return Superseded, nil
	}
	return Gone, nil
}
