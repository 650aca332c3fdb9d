package fanout

import (
	"context"
	"errors"
	"time"
)

// maxDeadlineMargin bounds how early before its deadline an invocation
// stops starting work (a sixth of fan-out's 60 s timeout).
const maxDeadlineMargin = 10 * time.Second

// errNearDeadline fails the records an invocation did not start, or whose
// sends it did not start, because its deadline was near: SQS brings them
// back and the next invocation goes on from them.
var errNearDeadline = errors.New("not fanned out: the invocation's deadline is near")

// budget keeps an invocation's answer ahead of its deadline. Lambda ends
// the invocation at the context's deadline, and an answer after that is
// lost: every record comes back, the finished ones too, and a batch with
// more work than fits never gets past its first records. So no record and
// no send starts after startBy (a sixth of the time left, at most
// maxDeadlineMargin, before the deadline), and the work in flight is cut
// half that margin before it.
type budget struct {
	startBy time.Time // zero: the context has no deadline
	now     func() time.Time
	// endBy is when the records' answers must be settled: continuations
	// (continue.go) are sent after the work, within a quarter of the margin.
	endBy time.Time
}

// newBudget returns ctx's budget on clock now and the context the work
// runs in.
func newBudget(ctx context.Context, now func() time.Time) (budget, context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		ctx, cancel := context.WithCancel(ctx)
		return budget{now: now}, ctx, cancel
	}
	margin := max(min(deadline.Sub(now())/6, maxDeadlineMargin), 0) // none left: nothing starts
	work, cancel := context.WithDeadline(ctx, deadline.Add(-margin/2))
	return budget{startBy: deadline.Add(-margin), now: now, endBy: deadline.Add(-margin / 4)}, work, cancel
}

// start says whether work may start now.
func (b budget) start() error {
	if !b.startBy.IsZero() && !b.now().Before(b.startBy) {
		return errNearDeadline
	}
	return nil
}

// settling is the context the answers are settled in once the work is
// done: past the work's own cut, still short of the deadline.
func (b budget) settling(ctx context.Context) (context.Context, context.CancelFunc) {
	if b.endBy.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, b.endBy)
}
