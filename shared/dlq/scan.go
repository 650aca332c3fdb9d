package dlq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// ErrScanIncomplete means a scan could not keep the messages it had seen
// hidden (its calls to SQS too slow for their timeouts, or refused), so
// they kept coming back instead of those it had not seen. Rather than act
// on part of the DLQ as if it were all of it, the scan fails, having
// listed, held and changed nothing.
var ErrScanIncomplete = errors.New("the DLQ scan is incomplete")

// scan receives every visible message of the DLQ once, deduplicated by
// message id, and returns the entries f selects, in receive order.
//
// Entries for which hold returns true are kept invisible for
// HoldVisibility and returned still in flight, with when their hold ends
// (Entry.until); every other received message is released at the end, at
// once, so listing never delays anything. On error everything received
// is released.
//
// With a sink, selected entries are handed to it instead of returned (a
// listing keeps only its page). The scan stops with ErrTooLarge past
// lim.max messages, and with ErrProducerEvents at a producer event.
//
// It holds the scan lock (lock.go) from its first receive until it has
// released what it did not hold: another scan would miss those. Under a
// deadline (an api Lambda's request) it stops receiving cleanupTime
// before it, so the release and the unlock run before the process is
// stopped.
//
// Each receive hides its messages for PeekVisibility; the scan renews
// every message it has seen before its timeout runs out (hide.go), for
// twice as long as the scan has run by then, so a slow scan of a large DLQ
// renews each message a few times (once each time the scan's length
// doubles), not once per PeekVisibility. The scan ends
// when a receive returns nothing: every message is in flight, ours or a
// concurrent redrive's. Should the ones it has seen come back all the
// same, for a full pass of receives without a new id, it fails
// (ErrScanIncomplete) rather than end short. A receive whose response was
// lost has hidden its messages for PeekVisibility: the scan waits that out
// and goes on, since a listing that silently skips dead letters is worse
// than a slow one.
func (o *Ops) scan(ctx context.Context, f Filter, hold func(Entry) bool, sink func(Entry), lim scanLimits) (selected []Entry, err error) {
	work, stop := withCleanupTime(ctx)
	defer stop()
	lock, err := o.lockScan(work, lim.lockWait)
	if err != nil {
		return nil, err
	}
	hid := newHideSet()
	seen := make(map[string]int) // message id -> index in selected, or -1
	defer func() {
		released := false
		if err == nil {
			released, err = o.releaseHolding(ctx, hid.takePeeks(), hid)
			for id, m := range hid.byID {
				selected[seen[id]].receipt, selected[seen[id]].until = m.receipt, m.until
			}
		}
		if err != nil {
			released = o.release(ctx, hid.receipts())
			selected = nil
		}
		// What is still hidden is hidden for no longer than the lock
		// lasts (keep): the next scan must wait for it, not miss it.
		if released {
			lock.unlock(ctx)
		}
	}()
	start := o.Now()
	vis := func(m *hidden) time.Duration {
		if m.hold {
			return o.HoldVisibility
		}
		return max(o.PeekVisibility, 2*o.Now().Sub(start))
	}
	stale, lost := 0, 0
	for {
		if work.Err() != nil && ctx.Err() == nil {
			return selected, fmt.Errorf("the DLQ scan stopped short of the request's deadline after %d messages: narrow it down, or use the CLI", len(seen))
		}
		// Were this scan to crash, the next must not start while messages
		// this one hid are still hidden: it would miss them. A listing
		// holds nothing, so only its peeks count.
		cover := vis(&hidden{})
		if hold != nil {
			cover = max(cover, o.HoldVisibility)
		}
		if err := lock.keep(work, o.Now().Add(cover)); err != nil {
			return selected, err
		}
		if err := o.renewDue(work, hid, vis); err != nil {
			return selected, err
		}
		since := o.Now()
		msgs, err := o.q.ReceiveOnce(work, o.dlqURL, queue.MaxBatch, o.Wait, o.PeekVisibility)
		if err != nil {
			if work.Err() != nil && ctx.Err() == nil {
				continue // out of time: said above
			}
			if !transient(ctx, err) || lost >= maxLostReceives {
				return selected, err
			}
			lost++
			if err := o.waitOut(work, hid, vis); err != nil {
				return selected, err
			}
			continue
		}
		if len(msgs) == 0 {
			return selected, nil
		}
		// unheld records messages the scan stops before reading, so that
		// its release makes them visible again.
		unheld := func(rest []events.SQSMessage) {
			for _, m := range rest {
				hid.put(m.MessageId, m.ReceiptHandle, false, since, o.PeekVisibility)
			}
		}
		fresh := 0
		for i, m := range msgs {
			if at, ok := seen[m.MessageId]; ok {
				// Received again: only the newest receipt handle works.
				hid.put(m.MessageId, m.ReceiptHandle, at >= 0 && hold != nil && hold(selected[at]), since, o.PeekVisibility)
				continue
			}
			fresh++
			if lim.max > 0 && len(seen) >= lim.max {
				unheld(msgs[i:])
				return selected, fmt.Errorf("%w (%d)", ErrTooLarge, lim.max)
			}
			e := parseEntry(m)
			if e.Delivery == nil && producerEvent(m.Body) {
				unheld(msgs[i:])
				return selected, fmt.Errorf("%w (message %s)", ErrProducerEvents, m.MessageId)
			}
			seen[m.MessageId] = -1
			held := false
			switch {
			case !f.Matches(e):
			case sink != nil:
				sink(e)
			default:
				held = hold != nil && hold(e)
				seen[m.MessageId] = len(selected)
				selected = append(selected, e)
			}
			hid.put(m.MessageId, m.ReceiptHandle, held, since, o.PeekVisibility)
		}
		if fresh > 0 {
			stale = 0
		} else if stale++; stale > len(seen)/queue.MaxBatch {
			return selected, fmt.Errorf("%w: %d messages seen, but those kept coming back instead of the rest (the calls renewing their visibility were too slow or refused); nothing was changed: try again", ErrScanIncomplete, len(seen))
		}
	}
}

// waitOut waits for the messages a lost receive hid to come back, renewing
// what the scan hides meanwhile. It counts real time, not o.Now: only
// SQS's clock ends the lost receive's timeouts.
func (o *Ops) waitOut(ctx context.Context, hid *hideSet, vis func(*hidden) time.Duration) error {
	step := max(o.PeekVisibility/4, 100*time.Millisecond)
	for left := o.PeekVisibility + time.Second; left > 0; left -= step {
		if err := o.renewDue(ctx, hid, vis); err != nil {
			return err
		}
		if wait.Sleep(ctx, min(step, left)) != nil {
			return nil // the scan's loop says why
		}
	}
	return nil
}

// maxLostReceives bounds how often one scan waits out a lost response.
const maxLostReceives = 3

// cleanupTime is what a scan leaves of its caller's deadline to make its
// messages visible again and free the scan lock: a process stopped at its
// deadline first would keep every other scan out for ScanLockTTL.
const cleanupTime = 5 * time.Second

// withCleanupTime is ctx ending cleanupTime before its deadline, if any.
func withCleanupTime(ctx context.Context) (context.Context, context.CancelFunc) {
	return withTimeLeft(ctx, cleanupTime)
}

// withLetterTime is ctx ending early enough, under a deadline, for the
// letter under way to finish its send (detach.Grace) and for the cleanup
// after it: the loops that send letters start none past it.
func withLetterTime(ctx context.Context) (context.Context, context.CancelFunc) {
	return withTimeLeft(ctx, cleanupTime+detach.BookkeepingTimeout)
}

// withTimeLeft is ctx ending lead before its deadline, if any.
func withTimeLeft(ctx context.Context, lead time.Duration) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline.Add(-lead))
	}
	return context.WithCancel(ctx)
}

// transient reports whether a receive failed in transit (worth waiting
// out) rather than being refused by SQS or cancelled.
func transient(ctx context.Context, err error) bool {
	return ctx.Err() == nil && errors.Is(err, queue.ErrLost)
}
