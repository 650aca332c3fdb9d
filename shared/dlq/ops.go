package dlq

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// Queue is the part of the SQS adapter (sqsqueue.Client) the DLQ tools use.
type Queue interface {
	// ReceiveOnce must not retry behind the caller's back: see scan.
	ReceiveOnce(ctx context.Context, queueURL string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error)
	Send(ctx context.Context, queueURL string, m queue.Message) error
	// ChangeVisibilityBatch returns each change's error (nil: made).
	ChangeVisibilityBatch(ctx context.Context, queueURL string, changes []queue.VisibilityChange) []error
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

	// PeekVisibility hides a message from its receive until the scan
	// renews it (scan.go), for twice as long as it has run by then. Short,
	// so a crashed short listing leaves little hidden for long.
	PeekVisibility time.Duration
	// HoldVisibility hides a message selected for redrive or purge, so a
	// concurrent redrive cannot take it too; it is renewed before it runs
	// out, from when it was set, until the message is done with.
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
	// Webhooks, when set, lets a redrive read the webhook of each letter
	// (once per webhook) to report where each letter went (destination.go):
	// to a deleted webhook (which delivery drops), to one no longer
	// subscribed or disabled by its tenant (which delivery skips), or to one
	// disabled for failing (which delivery parks). Every letter is still
	// sent: the table is the caller's word, and another stack's table would
	// make every webhook look deleted. Nil: the report cannot tell.
	Webhooks WebhookReader
	// RecoverMax bounds the dead letters one recover sends (recover.go).
	RecoverMax int
	// LetterClaim is how long a recover or a redrive holds a dead letter
	// it is sending back (index.go): longer than one letter's send and
	// close may take (the send's grace after its call's end, detach.Grace,
	// then the close's bound, detach.Bookkeeping), as a parked delivery's
	// claim. A caller stopped while holding one leaves the letter that long.
	LetterClaim time.Duration
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
		LetterClaim:    time.Minute,
	}
}

// operatorScan is how far an operator's redrive or purge goes: the whole
// DLQ, however large.
func (o *Ops) operatorScan() scanLimits { return scanLimits{lockWait: o.LockWait} }

// release makes messages visible again (visibility 0). It runs even when
// ctx is cancelled, since a cancelled redrive must hand back what it held,
// and reports whether it got through them all in its time. Errors are
// ignored: a message whose visibility already ran out is visible anyway
// (goaws then answers MessageNotInFlight, AWS ReceiptHandleIsInvalid).
func (o *Ops) release(ctx context.Context, handles []string) (finished bool) {
	if len(handles) == 0 {
		return true
	}
	end := time.Now().Add(30 * time.Second)
	if deadline, ok := ctx.Deadline(); ok && deadline.Add(-time.Second).Before(end) {
		end = deadline.Add(-time.Second) // leaves the unlock its turn
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
	defer cancel()
	changes := make([]queue.VisibilityChange, len(handles))
	for i, h := range handles {
		changes[i] = queue.VisibilityChange{ReceiptHandle: h}
	}
	o.changeVisibility(ctx, changes)
	return ctx.Err() == nil
}

// changeVisibility sets each timeout, ten a call and a few calls in
// flight (one by one over the internet would keep a large run waiting for
// minutes), and returns each change's error. A call that panics (a crash,
// as the claim audit injects one) panics the caller, as it would have made
// inline.
func (o *Ops) changeVisibility(ctx context.Context, changes []queue.VisibilityChange) []error {
	const workers = 8
	errs := make([]error, len(changes))
	work := make(chan int) // the start of a batch
	var wg sync.WaitGroup
	var crash atomic.Value
	for range min(workers, (len(changes)+queue.MaxBatch-1)/queue.MaxBatch) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					crash.CompareAndSwap(nil, p)
					for range work { // the sender must not block should every worker crash
					}
				}
			}()
			for start := range work {
				end := min(start+queue.MaxBatch, len(changes))
				copy(errs[start:end], o.q.ChangeVisibilityBatch(ctx, o.dlqURL, changes[start:end]))
			}
		}()
	}
	for start := 0; start < len(changes); start += queue.MaxBatch {
		work <- start
	}
	close(work)
	wg.Wait()
	if p := crash.Load(); p != nil {
		panic(p)
	}
	return errs
}

// releaseHolding releases handles while renewing the holds in hid: over a
// slow link the release of a large scan's peeks outlasts a hold. A hold
// it cannot renew is an error.
func (o *Ops) releaseHolding(ctx context.Context, handles []string, hid *hideSet) (finished bool, err error) {
	const chunk = 100
	for len(handles) > 0 {
		if err := o.renewDue(ctx, hid, o.holdVisibility); err != nil {
			return o.release(ctx, handles), err
		}
		n := min(chunk, len(handles))
		if !o.release(ctx, handles[:n]) {
			return false, nil
		}
		handles = handles[n:]
	}
	return true, nil
}

func (o *Ops) holdVisibility(*hidden) time.Duration { return o.HoldVisibility }

// errLeftInDLQ is process's fn leaving its entry in the DLQ (not an error):
// the entry is released at the end of the run, as those not reached.
var errLeftInDLQ = errors.New("left in the DLQ")

// process applies fn to held entries one at a time, renewing the hold of
// those still waiting, each from when its hold was last set (Entry.until),
// so none reappears mid-run. It stops at the first error or cancellation,
// and under a deadline (the api function's) short of it (withLetterTime),
// so a letter under way can finish (redriveOne) and the entries it did not
// get to are released in time: a resumed run finds them at once.
func (o *Ops) process(ctx context.Context, held []Entry, fn func(context.Context, Entry) error, progress func(done, total int)) (done int, err error) {
	hid := newHideSet()
	for _, e := range held {
		hid.putHeld(e.MessageID, e.receipt, e.until, o.HoldVisibility)
	}
	defer func() { o.release(ctx, hid.receipts()) }()
	work, stop := withLetterTime(ctx)
	defer stop()
	for _, e := range held {
		if err := work.Err(); err != nil {
			return done, err
		}
		if err := o.renewDue(work, hid, o.holdVisibility); err != nil {
			return done, err
		}
		switch err := fn(work, e); {
		case errors.Is(err, errLeftInDLQ):
			// Still held: released with those not reached.
		case err != nil:
			return done, err
		default:
			hid.remove(e.MessageID)
		}
		done++
		if progress != nil {
			progress(done, len(held))
		}
	}
	return done, nil
}
