package dlq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// scan receives every visible message of the DLQ once, deduplicated by
// message id, and returns the entries f selects, in receive order.
//
// Entries for which hold returns true are kept invisible for
// HoldVisibility and returned still in flight; every other received
// message is released at the end, at once, so listing never delays
// anything. On error everything received is released.
//
// With a sink, selected entries are handed to it instead of returned (a
// listing keeps only its page). The scan stops with ErrTooLarge past
// lim.max messages.
//
// It holds the scan lock (lock.go) from its first receive until it has
// released what it did not hold: another scan would miss those. Under a
// deadline (an api Lambda's request) it stops receiving cleanupTime
// before it, so the release and the unlock run before the process is
// stopped.
//
// The scan ends when a receive returns nothing (all messages are in
// flight: ours or a concurrent redrive's) or when a full pass of receives
// brought no new id (messages whose peek ran out come back before unseen
// ones on goaws). A receive whose response was lost has hidden its
// messages for PeekVisibility: the scan waits that out and goes on, since
// a listing that silently skips dead letters is worse than a slow one.
func (o *Ops) scan(ctx context.Context, f Filter, hold func(Entry) bool, sink func(Entry), lim scanLimits) (selected []Entry, err error) {
	work, stop := withCleanupTime(ctx)
	defer stop()
	lock, err := o.lockScan(work, lim.lockWait)
	if err != nil {
		return nil, err
	}
	defer lock.unlock(ctx)       // after the release below
	seen := make(map[string]int) // message id -> index in selected, or -1
	var release, held []string   // receipt handles
	defer func() {
		if err != nil {
			release = append(release, held...)
			selected = nil
		}
		o.release(ctx, release)
	}()
	stale, lost := 0, 0
	for {
		if work.Err() != nil && ctx.Err() == nil {
			return selected, fmt.Errorf("the DLQ scan stopped short of the request's deadline after %d messages: narrow it down, or use the CLI", len(seen))
		}
		if err := lock.keep(work); err != nil {
			return selected, err
		}
		msgs, err := o.q.ReceiveOnce(work, o.dlqURL, queue.MaxBatch, o.Wait, o.PeekVisibility)
		if err != nil {
			if work.Err() != nil && ctx.Err() == nil {
				continue // out of time: said above
			}
			if !transient(ctx, err) || lost >= maxLostReceives {
				return selected, err
			}
			lost++
			if err := wait.Sleep(work, o.PeekVisibility+time.Second); err != nil {
				continue
			}
			continue
		}
		if len(msgs) == 0 {
			return selected, nil
		}
		fresh := 0
		for i, m := range msgs {
			if i, ok := seen[m.MessageId]; ok {
				// Received again: only the newest receipt handle works.
				if i >= 0 && hold != nil && hold(selected[i]) {
					selected[i].receipt = m.ReceiptHandle
					held = append(held, m.ReceiptHandle)
					if err := o.q.ChangeVisibility(work, o.dlqURL, m.ReceiptHandle, o.HoldVisibility); err != nil {
						return selected, err
					}
				} else {
					release = append(release, m.ReceiptHandle)
				}
				continue
			}
			fresh++
			if lim.max > 0 && len(seen) >= lim.max {
				for _, rest := range msgs[i:] {
					release = append(release, rest.ReceiptHandle)
				}
				return selected, fmt.Errorf("%w (%d)", ErrTooLarge, lim.max)
			}
			e := parseEntry(m)
			seen[m.MessageId] = -1
			switch {
			case !f.Matches(e):
				release = append(release, e.receipt)
				continue
			case sink != nil:
				release = append(release, e.receipt)
				sink(e)
				continue
			case hold != nil && hold(e):
				held = append(held, e.receipt)
				if err := o.q.ChangeVisibility(work, o.dlqURL, e.receipt, o.HoldVisibility); err != nil {
					return selected, err
				}
			default:
				release = append(release, e.receipt)
			}
			seen[m.MessageId] = len(selected)
			selected = append(selected, e)
		}
		if fresh > 0 {
			stale = 0
		} else if stale++; stale > len(seen)/queue.MaxBatch {
			return selected, nil
		}
	}
}

// maxLostReceives bounds how often one scan waits out a lost response.
const maxLostReceives = 3

// cleanupTime is what a scan leaves of its caller's deadline to make its
// messages visible again and free the scan lock: a process stopped at its
// deadline first would keep every other scan out for ScanLockTTL.
const cleanupTime = 5 * time.Second

// withCleanupTime is ctx ending cleanupTime before its deadline, if any.
func withCleanupTime(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline.Add(-cleanupTime))
	}
	return context.WithCancel(ctx)
}

// transient reports whether a receive failed in transit (worth waiting
// out) rather than being refused by SQS or cancelled.
func transient(ctx context.Context, err error) bool {
	return ctx.Err() == nil && errors.Is(err, queue.ErrLost)
}
