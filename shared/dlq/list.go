package dlq

import (
	"context"
	"errors"
)

// ErrNotFound means no visible dead letter has the requested id.
var ErrNotFound = errors.New("dead letter not found")

// List returns the dead letters f selects, in receive order. It only peeks:
// nothing is deleted and every message is visible again when it returns.
// Messages in flight elsewhere (a concurrent redrive) are not listed.
func (o *Ops) List(ctx context.Context, f Filter) ([]Entry, error) {
	return o.scan(ctx, f, nil)
}

// Show returns one dead letter by message id or delivery id.
func (o *Ops) Show(ctx context.Context, id string) (Entry, error) {
	entries, err := o.List(ctx, Filter{IDs: []string{id}})
	if err != nil {
		return Entry{}, err
	}
	if len(entries) == 0 {
		return Entry{}, ErrNotFound
	}
	return entries[0], nil
}
