package delivery

import (
	"context"
	"time"

	"github.com/hookrelay/hookrelay/shared/detach"
)

// deadlineMargin is how long before the invocation's deadline the
// bookkeeping after a POST ends: time for the handler to gather its
// batch's answers and return while the invocation lasts.
const deadlineMargin = time.Second

// invocationDeadlineKey holds, in a bookkeeping context, the invocation's
// deadline (an invocationDeadline), which detach.Bookkeeping drops: the
// bookkeeping context's own deadline is not the invocation's.
type invocationDeadlineKey struct{}

type invocationDeadline struct {
	at  time.Time
	set bool // false: the invocation has none
}

// bookkeeping is detach.Bookkeeping's context (time of its own for what
// follows a side effect, whatever becomes of ctx) that also ends
// deadlineMargin before the invocation's deadline, and passes that cap on
// to the steps given time of their own under it. Each step after a POST
// has its own bound, so together they could outlast the invocation, and
// past its deadline Lambda ends it and with it the whole batch: every
// delivered message of the batch would come back and be POSTed again. A
// step the cap cuts fails as when its store fails (the message comes
// back, at most one extra attempt); see docs/internals.md. Without a
// deadline (make dev's shutdown, tests) it is detach.Bookkeeping's.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	inv, ok := ctx.Value(invocationDeadlineKey{}).(invocationDeadline)
	if !ok { // ctx is the invocation's own
		inv.at, inv.set = ctx.Deadline()
	}
	bctx, cancel := detach.Bookkeeping(ctx)
	bctx = context.WithValue(bctx, invocationDeadlineKey{}, inv)
	if !inv.set {
		return bctx, cancel
	}
	capped, cancelCap := context.WithDeadline(bctx, inv.at.Add(-deadlineMargin))
	return capped, func() { cancelCap(); cancel() }
}
