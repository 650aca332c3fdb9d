package dlq

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// ErrNoIndex means the Ops was built without the tenants' index of dead
// letters, which a tenant's recover reads.
var ErrNoIndex = errors.New("no index of dead letters (the table): a recover reads it")

// indexed reports whether e's index item can be looked up.
func (o *Ops) indexed(e Entry) bool { return o.Index != nil && e.ref.Valid() }

// closedState reads e's tombstone; zero without an index, an item, or a
// tombstone: "redrive normally", since an item that failed to be written
// must never make a letter be skipped.
func (o *Ops) closedState(ctx context.Context, e Entry) (deliverylog.Closed, error) {
	if !o.indexed(e) {
		return deliverylog.Closed{}, nil
	}
	c, err := o.Index.State(ctx, e.ref)
	if err != nil {
		return c, fmt.Errorf("read the index item of %s: %w", e.MessageID, err)
	}
	return c, nil
}

// closeItem closes e's index item, if it has one.
func (o *Ops) closeItem(ctx context.Context, e Entry, by string) error {
	if !o.indexed(e) {
		return nil
	}
	return o.Index.Close(ctx, e.ref, by, o.Now())
}
