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
	// Superseded: the failed write's secret is still in the record, but
	// another write changed the record since (which may have answered
	// success): left alone, for the caller to report.
	Superseded
	// Gone: the failed write did not land, was replaced twice since, or
	// the webhook's secrets were deleted: nothing to undo.
	Gone
)

// Undo puts before back in store where a write that answered an error
// (but may have landed) wrote wrote: only while the store holds exactly
// wrote, current and previous, so a rotation made since is never erased.
// No store offers a compare-and-swap (Secrets Manager has none), so a
// write landing between this read and the restore is still overwritten:
// reading just before the restore narrows that to one round trip.
func Undo(ctx context.Context, store Store, orgID, webhookID string, wrote, before Record) (Undone, error) {
	now, err := store.Record(ctx, orgID, webhookID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Gone, nil
	case err != nil:
		return Gone, err
	case now.Current == wrote.Current && now.Previous == wrote.Previous:
		err := store.ReplaceRecord(ctx, orgID, webhookID, before)
		if errors.Is(err, ErrNotFound) {
			return Gone, nil
		}
		return Restored, err
	case now.Current == wrote.Current || now.Previous == wrote.Current:
		return Superseded, nil
	}
	return Gone, nil
}
