package dlq

import (
	"context"
	"maps"
	"slices"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// PurgeResult reports a purge.
type PurgeResult struct {
	Purged int
	// Unmatched are the filter's ids that selected no dead letter.
	Unmatched []string
}

// PurgePreview is what a purge of the same selection would delete.
type PurgePreview struct {
	Matched int
	// Recoverable counts the letters whose index item is open: their
	// tenants' recover would send them back, and after the purge will not.
	Recoverable int
	// RecoverableOrgs are the organizations those letters belong to,
	// sorted: the tenants to tell.
	RecoverableOrgs []string
	Unmatched       []string
}

// PreviewPurge says what Purge(f) would delete, changing nothing: it
// peeks as a listing does and reads the index item of each selected
// letter that has one (without it, a purge of every tenant's
// permanent_status letters would silently take them from their recover).
func (o *Ops) PreviewPurge(ctx context.Context, f Filter) (PurgePreview, error) {
	selected, err := o.scan(ctx, f, nil, nil, o.operatorScan())
	if err != nil {
		return PurgePreview{}, err
	}
	p := PurgePreview{Matched: len(selected), Unmatched: f.unmatched(selected)}
	orgs := map[string]bool{}
	for _, e := range selected {
		if !o.indexed(e) {
			continue
		}
		c, err := o.closedState(ctx, e)
		if err != nil {
			return PurgePreview{}, err
		}
		if c.By == "" {
			p.Recoverable++
			orgs[e.OrgID] = true
		}
	}
	p.RecoverableOrgs = slices.Sorted(maps.Keys(orgs))
	return p, nil
}

// Purge deletes the selected dead letters, closing their index items
// first, and says how many. Others are
// released untouched. Like Redrive it holds what it selected, so a
// concurrent redrive never sends a message this purge is deleting.
func (o *Ops) Purge(ctx context.Context, f Filter) (PurgeResult, error) {
	selected, err := o.scan(ctx, f, func(Entry) bool { return true }, nil, o.operatorScan())
	if err != nil {
		return PurgeResult{}, err
	}
	res := PurgeResult{Unmatched: f.unmatched(selected)}
	res.Purged, err = o.process(ctx, selected, func(ctx context.Context, e Entry) error {
		// The tombstone first: a tenant's recover must not send back what
		// an operator purged, and a crash before the delete leaves a copy
		// that a redrive deletes instead of sending.
		if err := o.closeItem(ctx, e, deliverylog.ClosedByPurge); err != nil {
			return err
		}
		return o.q.Delete(ctx, o.dlqURL, e.receipt)
	}, nil)
	return res, err
}
