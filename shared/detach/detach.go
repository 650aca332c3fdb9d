// Package detach gives the bookkeeping that follows a side effect a
// context of its own. Once a webhook was POSTed or a message sent to a
// queue, the records saying so (attempt entry, final status, the delete
// from the source queue) must be written even if the caller's context ends
// at that instant: a Lambda reaching its deadline or `make dev` shutting
// down would otherwise drop the last record of something that happened.
package detach

import (
	"context"
	"time"
)

// BookkeepingTimeout bounds the writes that follow a side effect. They
// ignore the caller's cancellation, so they need a bound of their own: a
// few DynamoDB/SQS round trips take milliseconds and 5 s rides out the
// SDK's retries of a throttled call, while a store that does not answer
// cannot hold up a stopping process for longer than that.
const BookkeepingTimeout = 5 * time.Second

// Bookkeeping returns a context that keeps ctx's values (trace ids, the
// Lambda request id for logs) but not its cancellation or deadline, and
// ends BookkeepingTimeout from now. Call the CancelFunc when done.
func Bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), BookkeepingTimeout)
}

// Grace returns a context that keeps ctx's values and ends BookkeepingTimeout
// after ctx does, never before: a side effect under way when ctx ends (a
// send already on the wire when an operator presses Ctrl-C) gets that long
// to finish, and takes as long as it needs while ctx lasts. Call the
// CancelFunc when done.
func Grace(ctx context.Context) (context.Context, context.CancelFunc) {
	return graceAfter(ctx, BookkeepingTimeout)
}

func graceAfter(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	out, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	return out, func() {
		stop()
		cancel()
	}
}
