package dlq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// Queue is the part of the SQS adapter (sqsqueue.Client) the DLQ tools use.
type Queue interface {
	// ReceiveOnce must not retry behind the caller's back: see scan.
	ReceiveOnce(ctx context.Context, queueURL string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error)
	Send(ctx context.Context, queueURL string, m queue.Message) error
	ChangeVisibility(ctx context.Context, queueURL, receiptHandle string, d time.Duration) error
	Delete(ctx context.Context, queueURL, receiptHandle string) error
}

// AttemptResetter zeroes a delivery's attempt counter (the delivery
// record in DynamoDB) so a redriven delivery gets the full retry schedule
// again instead of dead-lettering on its next failure.
type AttemptResetter interface {
	ResetAttempts(ctx context.Context, deliveryID string) error
}

// Ops runs operator actions on one DLQ and its delivery lanes.
type Ops struct {
	q        Queue
	dlqURL   string
	delivery lanes.Lanes
	reset    AttemptResetter

	// PeekVisibility hides a message between its receive and the end of a
	// scan. Short, so a crashed listing leaves nothing hidden for long; it
	// bounds how long one scan may take before messages reappear.
	PeekVisibility time.Duration
	// HoldVisibility hides a message selected for redrive or purge, so a
	// concurrent redrive cannot take it too; it is renewed while working.
	HoldVisibility time.Duration
	// Wait is the long-poll time of each receive. Non-zero, because a short
	// poll on AWS samples a subset of servers and may return nothing.
	Wait time.Duration
	// Now is the clock (tests pin it).
	Now func() time.Time
	// MaxScan bounds the messages one listing scans (and so the ids and
	// receipt handles it holds): a larger DLQ is ErrTooLarge.
	MaxScan int
	// Locks, when set, let one scan of the DLQ run at a time across
	// processes (lock.go); LockWait is how long an operator's scan waits
	// for the one running (then ErrBusy).
	Locks    Locks
	LockWait time.Duration
	// Index is the tenants' index of their dead letters, which deliver
	// writes before each DLQ send: a tenant's recover reads it instead of
	// the DLQ (recover.go), and redrive, purge and listings read or close
	// the items of the letters they act on (index.go). Nil: a recover
	// fails, and the operators' tools act on the DLQ alone.
	Index deliverylog.DeadLetterIndex
	// RecoverMax bounds the dead letters one recover sends (recover.go).
	RecoverMax int
}

// scanLimits are how far one scan may go.
type scanLimits struct {
	max      int           // messages it may receive before ErrTooLarge; 0: no bound
	lockWait time.Duration // how long it waits for the scan lock
}

// New returns Ops over a DLQ and the delivery lanes redrives go to (each
// delivery to its organization's). reset may be nil, in which case attempt
// counters are left as they are.
func New(q Queue, dlqURL string, delivery lanes.Lanes, reset AttemptResetter) *Ops {
	return &Ops{
		q: q, dlqURL: dlqURL, delivery: delivery, reset: reset,
		PeekVisibility: 2 * time.Second,
		HoldVisibility: 30 * time.Second,
		Wait:           time.Second,
		Now:            time.Now,
		MaxScan:        50_000,
		LockWait:       20 * time.Second,
		RecoverMax:     RecoverMax,
	}
}

// operatorScan is how far an operator's redrive or purge goes: the whole
// DLQ, however large.
func (o *Ops) operatorScan() scanLimits { return scanLimits{lockWait: o.LockWait} }

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

// release makes messages visible again (visibility 0). It runs even when
// ctx is cancelled, since a cancelled redrive must hand back what it held.
// Errors are ignored: a message whose visibility already ran out is visible
// anyway (goaws then answers MessageNotInFlight, AWS ReceiptHandleIsInvalid).
func (o *Ops) release(ctx context.Context, handles []string) {
	if len(handles) == 0 {
		return
	}
	end := time.Now().Add(30 * time.Second)
	if deadline, ok := ctx.Deadline(); ok && deadline.Add(-time.Second).Before(end) {
		end = deadline.Add(-time.Second) // leaves the unlock its turn
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
	defer cancel()
	// A few calls in flight: there is no batch call on goaws, and one by one
	// over the internet would leave a large listing hidden for seconds.
	const workers = 8
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(workers, len(handles)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range work {
				_ = o.q.ChangeVisibility(ctx, o.dlqURL, h, 0)
			}
		}()
	}
	for _, h := range handles {
		work <- h
	}
	close(work)
	wg.Wait()
}

// process applies fn to held entries one at a time, renewing the hold of
// those still waiting so none reappears mid-run. It stops at the first
// error or cancellation and releases the entries it did not get to, so a
// resumed run finds them at once.
func (o *Ops) process(ctx context.Context, held []Entry, fn func(context.Context, Entry) error, progress func(done, total int)) (done int, err error) {
	defer func() {
		rest := make([]string, 0, len(held)-done)
		for _, e := range held[done:] {
			rest = append(rest, e.receipt)
		}
		o.release(ctx, rest)
	}()
	renewed := o.Now()
	for _, e := range held {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		if o.Now().Sub(renewed) > o.HoldVisibility/2 {
			if err := o.renew(ctx, held[done:]); err != nil {
				return done, err
			}
			renewed = o.Now()
		}
		if err := fn(ctx, e); err != nil {
			return done, err
		}
		done++
		if progress != nil {
			progress(done, len(held))
		}
	}
	return done, nil
}

func (o *Ops) renew(ctx context.Context, held []Entry) error {
	var errs []error
	for _, e := range held {
		errs = append(errs, o.q.ChangeVisibility(ctx, o.dlqURL, e.receipt, o.HoldVisibility))
	}
	return errors.Join(errs...)
}
