package dlq

import "context"

// Purge deletes the selected dead letters and returns how many. Others are
// released untouched. Like Redrive it holds what it selected, so a
// concurrent redrive never sends a message this purge is deleting.
func (o *Ops) Purge(ctx context.Context, f Filter) (int, error) {
	selected, err := o.scan(ctx, f, func(Entry) bool { return true }, nil, o.operatorScan())
	if err != nil {
		return 0, err
	}
	return o.process(ctx, selected, func(ctx context.Context, e Entry) error {
		return o.q.Delete(ctx, o.dlqURL, e.receipt)
	}, nil)
}
