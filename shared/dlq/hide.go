package dlq

import (
	"container/heap"
	"context"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// A run keeps the messages it received out of other receivers' sight with
// their visibility timeouts: a scan every message it has seen, until it
// ends (one that came back would crowd out the messages not seen yet), a
// redrive or purge what it holds, until that leaves the DLQ. hideSet
// remembers when each timeout ends, counted from the call that set it, so
// that each message is renewed before its own timeout runs out, however
// long the run has been working, and not on a timer of the run's.
type hideSet struct {
	byID  map[string]*hidden
	queue hiddenQueue // by renewal time
}

// hidden is one message a run keeps hidden.
type hidden struct {
	id      string // message id
	receipt string // of the latest receive: only that one works
	hold    bool   // held for redrive or purge, not only peeked at
	// until is when its timeout ends at the earliest: counted from before
	// the call that set it, which SQS applies later.
	until time.Time
	// renew is when to renew it: half its timeout before until, so a call
	// delayed by a slow link or a loaded machine still lands in time.
	renew time.Time
	at    int // index in queue; -1 when not there
}

func newHideSet() *hideSet { return &hideSet{byID: map[string]*hidden{}} }

// put records that the call started at since hid message id, received
// with receipt, for vis; a message put again (received again, its earlier
// receipt no longer valid) is updated. A hold is due for renewal at once:
// the receive only peeked at it, and the renewal gives it its hold.
func (s *hideSet) put(id, receipt string, hold bool, since time.Time, vis time.Duration) {
	m, ok := s.byID[id]
	if !ok {
		m = &hidden{id: id, at: -1}
		s.byID[id] = m
	}
	m.receipt, m.hold = receipt, hold
	s.hidFor(m, since, vis)
	if hold {
		m.renew = since
	}
	s.requeue(m)
}

// putHeld records a message held until until, by a timeout of vis.
func (s *hideSet) putHeld(id, receipt string, until time.Time, vis time.Duration) {
	m := &hidden{id: id, receipt: receipt, hold: true, at: -1}
	s.byID[id] = m
	s.hidFor(m, until.Add(-vis), vis)
	s.requeue(m)
}

// takePeeks removes the messages that are not held and returns their
// receipts.
func (s *hideSet) takePeeks() []string {
	var out []string
	for id, m := range s.byID {
		if !m.hold {
			out = append(out, m.receipt)
			s.remove(id)
		}
	}
	return out
}

// hidFor records that the call started at since hid m for vis.
func (s *hideSet) hidFor(m *hidden, since time.Time, vis time.Duration) {
	m.until = since.Add(vis)
	m.renew = m.until.Add(-vis / 2)
}

func (s *hideSet) requeue(m *hidden) {
	if m.at < 0 {
		heap.Push(&s.queue, m)
	} else {
		heap.Fix(&s.queue, m.at)
	}
}

// remove forgets id: deleted, or released.
func (s *hideSet) remove(id string) {
	m, ok := s.byID[id]
	if !ok {
		return
	}
	delete(s.byID, id)
	if m.at >= 0 {
		heap.Remove(&s.queue, m.at)
	}
}

// receipts returns the receipts of every message in s.
func (s *hideSet) receipts() []string {
	out := make([]string, 0, len(s.byID))
	for _, m := range s.byID {
		out = append(out, m.receipt)
	}
	return out
}

// popDue takes out of the queue the messages due for renewal at now.
func (s *hideSet) popDue(now time.Time) []*hidden {
	var due []*hidden
	for len(s.queue) > 0 && !s.queue[0].renew.After(now) {
		due = append(due, heap.Pop(&s.queue).(*hidden))
	}
	return due
}

// renewDue renews the timeout of every message in s that is due, to
// vis(m). A hold that cannot be renewed is an error: the run must not act
// on a message another receiver may take. A peek that cannot be renewed
// (its timeout ran out on a slow link) only comes back, and the scan
// receives it again; it is not renewed again meanwhile.
func (o *Ops) renewDue(ctx context.Context, s *hideSet, vis func(*hidden) time.Duration) error {
	due := s.popDue(o.Now())
	if len(due) == 0 {
		return nil
	}
	// A round of calls costs a round trip whatever it carries: those due
	// within half a peek go along, so a scan renews in a few rounds, not
	// before every receive.
	due = append(due, s.popDue(o.Now().Add(o.PeekVisibility/2))...)
	changes := make([]queue.VisibilityChange, len(due))
	for i, m := range due {
		changes[i] = queue.VisibilityChange{ReceiptHandle: m.receipt, Timeout: wholeSeconds(vis(m))}
	}
	since := o.Now()
	errs := o.changeVisibility(ctx, changes)
	var failed error
	for i, m := range due {
		switch {
		case errs[i] == nil:
			s.hidFor(m, since, changes[i].Timeout)
			s.requeue(m)
		case m.hold:
			s.requeue(m) // still to be released when the run ends
			if failed == nil {
				failed = fmt.Errorf("renew the hold of %s (and %d more due): %w", m.id, len(due)-1, errs[i])
			}
		default:
			// Left out of the queue, not forgotten: the run still
			// releases it at the end, in case it has not come back.
		}
	}
	return failed
}

// wholeSeconds is d as SQS sets it, whole seconds (at least one, at most
// SQS's 12 hours), rounded down so that a message is never thought hidden
// for longer than it is.
func wholeSeconds(d time.Duration) time.Duration {
	return min(max(time.Second, d.Truncate(time.Second)), 12*time.Hour)
}

// hiddenQueue is a heap of hidden messages by renewal time.
type hiddenQueue []*hidden

func (q hiddenQueue) Len() int           { return len(q) }
func (q hiddenQueue) Less(i, j int) bool { return q[i].renew.Before(q[j].renew) }
func (q hiddenQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].at, q[j].at = i, j
}

func (q *hiddenQueue) Push(x any) {
	m := x.(*hidden)
	m.at = len(*q)
	*q = append(*q, m)
}

func (q *hiddenQueue) Pop() any {
	old := *q
	m := old[len(old)-1]
	old[len(old)-1] = nil
	m.at = -1
	*q = old[:len(old)-1]
	return m
}
