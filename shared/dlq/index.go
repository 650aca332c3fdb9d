package dlq

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/detach"
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

// claim claims r's index item for o.LetterClaim (deliverylog.DeadLetterIndex.Claim).
func (o *Ops) claim(ctx context.Context, r deliverylog.Ref) (deliverylog.Claim, error) {
	c, err := o.Index.Claim(ctx, r, o.LetterClaim)
	if err != nil {
		return c, fmt.Errorf("claim the index item of %s: %w", r.ID, err)
	}
	return c, nil
}

// claimEntry claims e's index item; without an index or an item to name,
// ClaimNoItem: such a letter is redriven normally.
func (o *Ops) claimEntry(ctx context.Context, e Entry) (deliverylog.Claim, error) {
	if !o.indexed(e) {
		return deliverylog.ClaimNoItem, nil
	}
	return o.claim(ctx, e.ref)
}

// underClaim runs send, a letter's attempt reset and send; if it fails, the
// claim c of r is released, so that a retry sends the letter at once (if
// the release fails too, the claim runs out by itself).
func (o *Ops) underClaim(ctx context.Context, c deliverylog.Claim, r deliverylog.Ref, send func() error) error {
	err := send()
	if err != nil && c == deliverylog.Claimed {
		rctx, done := detach.Bookkeeping(ctx)
		defer done()
		err = errors.Join(err, o.Index.Release(rctx, r))
	}
	return err
}
