package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Recover limits: one call queues at most RecoverMax parked deliveries (a
// later call with the same since continues). What a call queues, its dead
// letters and then its parked deliveries, is spread over time at
// RecoverRate per second by SQS message delays (queue.Pace), so an
// endpoint coming back is not hit by its whole backlog at once. SQS delays
// stop at 15 minutes.
const (
	RecoverMax  = 1000
	RecoverRate = 10
)

// DeadLetterRedriver sends an endpoint's dead letters since a time back to
// the delivery queue (dlq.Ops, reading the webhook's index of its dead
// letters), the i-th delayed pace.Delay(i).
type DeadLetterRedriver interface {
	RedriveWebhook(ctx context.Context, orgID, webhookID string, since time.Time, pace queue.Pace) (int, error)
}

// Recovery re-queues what an endpoint missed: its dead letters and its
// parked deliveries since a time, oldest first (dead letters failed before
// the endpoint was disabled, parked ones after), each with its original
// delivery id and bytes and a fresh retry schedule.
type Recovery struct {
	Parked  deliverylog.ParkedStore
	Records interface {
		ResetAttempts(ctx context.Context, deliveryID string) error
	}
	Queue       Sender
	Lanes       lanes.Lanes // the delivery lanes; the webhook's organization's gets them
	DeadLetters DeadLetterRedriver
	Rate, Max   int // RecoverRate and RecoverMax when zero
}

// RecoverResult counts what one call queued.
type RecoverResult struct {
	Queued       int  `json:"queued"`
	Parked       int  `json:"parked"`
	DeadLettered int  `json:"dead_lettered"`
	More         bool `json:"more"` // parked deliveries remain: call again
	// DeadLettersIncomplete: not all dead letters were queued (Err says why,
	// for the log); the parked deliveries were queued all the same.
	DeadLettersIncomplete bool  `json:"dead_letters_incomplete,omitempty"`
	Err                   error `json:"-"`
}

// Requeue queues w's dead letters, then its parked deliveries, since since.
// A parked delivery is claimed, sent, then unparked: a call at the same
// time skips what this one claimed; a crash before the unpark sends it
// again on a call after the claim ran out (same delivery id, which
// receivers deduplicate), never loses it.
func (r Recovery) Requeue(ctx context.Context, w webhook.Webhook, since time.Time) (RecoverResult, error) {
	rate, limit := r.Rate, r.Max
	if rate <= 0 {
		rate = RecoverRate
	}
	if limit <= 0 {
		limit = RecoverMax
	}
	// One pace for both: the parked deliveries continue where the dead
	// letters stopped (the i-th queued is delayed pace.Delay(i)).
	pace := queue.Pace{Rate: rate}
	var res RecoverResult
	if r.DeadLetters != nil {
		n, err := r.DeadLetters.RedriveWebhook(ctx, w.OrgID, w.ID, since, pace)
		res.DeadLettered, res.Queued = n, n
		if err != nil {
			// The webhook may have more dead letters than one call
			// queues: its parked deliveries must not wait on them.
			res.DeadLettersIncomplete, res.Err = true, fmt.Errorf("redrive dead letters: %w", err)
		}
	}
	parked, more, err := r.Parked.Since(ctx, w.OrgID, w.ID, since, limit+1)
	if err != nil {
		return res, err
	}
	res.More = more
	if len(parked) > limit {
		parked, res.More = parked[:limit], true
	}
	// Each delivery costs three AWS calls, one after another, and the dead
	// letters may have used most of the caller's time: the loop stops
	// parkedReserve before its deadline and says more (what is still
	// parked is read again by the next call). A delivery begun is
	// finished under ctx, so none is sent without being unparked.
	work, stop := withReserve(ctx, parkedReserve)
	defer stop()
	for _, p := range parked {
		if work.Err() != nil {
			res.More = true
			break
		}
		queued, err := r.requeueParked(ctx, w, p, pace.Delay(res.Queued))
		if err != nil {
			return res, err
		}
		if !queued {
			// Another recover is queuing it (a double click), or one that
			// failed holds it for up to parkedClaim: say more, so the
			// tenant is asked to recover again rather than told it is done.
			res.More = true
			continue
		}
		res.Queued++
		res.Parked++
	}
	return res, nil
}

// requeueParked claims p, sends it back to the delivery queue with a
// fresh retry schedule, delayed delay, then unparks it. queued is false
// when another recover holds it or unparked it already. A failed send
// releases the claim; a crash after the claim leaves it parked, and a
// recover after the claim runs out sends it.
func (r Recovery) requeueParked(ctx context.Context, w webhook.Webhook, p deliverylog.Parked, delay time.Duration) (queued bool, err error) {
	if claimed, err := r.Parked.Claim(ctx, p, parkedClaim); err != nil || !claimed {
		return false, err
	}
	// A claim whose send failed is released, so the tenant's retry sends
	// p at once; if the release fails too, the claim runs out by itself.
	release := func(err error) (bool, error) {
		return false, errors.Join(err, r.Parked.Release(context.WithoutCancel(ctx), p))
	}
	if err := r.Records.ResetAttempts(ctx, p.DeliveryID); err != nil && !errors.Is(err, deliverylog.ErrNotFound) {
		return release(err)
	}
	if err := r.Queue.Send(ctx, r.Lanes.For(w.OrgID), queue.Message{Body: p.Message, Delay: delay, Group: w.OrgID}); err != nil {
		return release(fmt.Errorf("queue parked delivery %s: %w", p.DeliveryID, err))
	}
	_, err = r.Parked.Unpark(context.WithoutCancel(ctx), p)
	return true, err
}

// withReserve is ctx ending reserve before its deadline, if any.
func withReserve(ctx context.Context, reserve time.Duration) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline.Add(-reserve))
	}
	return context.WithCancel(ctx)
}

// parkedClaim is how long a recover holds a parked delivery it is
// queuing: longer than a call may take (the api function's timeout).
const parkedClaim = time.Minute

// parkedReserve is what the parked stage leaves of its caller's deadline
// (the api function's) to finish the delivery in hand and answer.
const parkedReserve = 2 * time.Second
