package poller

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/sqsqueue"
)

// holdLog records, for each goaws receive of a message, when the Receive
// that handed it out was called and returned, and when the poller's delete
// of that receipt returned. The handler's own clock would shrink the gaps
// by a stall between a receive and its handler.
type holdLog struct {
	Queue
	visibility time.Duration // the queue's, which each receive's hold lasts
	mu         sync.Mutex
	byReceipt  map[string]*hold
	byBody     map[string][]*hold // in receive order
}

type hold struct{ called, returned, deleted time.Time }

func (q *holdLog) Receive(ctx context.Context, url string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error) {
	called := time.Now()
	msgs, err := q.Queue.Receive(ctx, url, max, wait, visibility)
	returned := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byReceipt == nil {
		q.byReceipt, q.byBody = map[string]*hold{}, map[string][]*hold{}
	}
	for _, m := range msgs {
		h := &hold{called: called, returned: returned}
		q.byReceipt[m.ReceiptHandle] = h
		q.byBody[m.Body] = append(q.byBody[m.Body], h)
	}
	return msgs, err
}

func (q *holdLog) DeleteBatch(ctx context.Context, url string, receipts []string) ([]sqsqueue.DeleteRefused, error) {
	refused, err := q.Queue.DeleteBatch(ctx, url, receipts)
	done := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range receipts {
		if h := q.byReceipt[r]; h != nil && err == nil {
			h.deleted = done
		}
	}
	return refused, err
}

// redeliveredAfter is at least the time between goaws's first and second
// receive of body: from the first Receive's call to the second's return.
func (q *holdLog) redeliveredAfter(body string) time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.byBody[body][1].returned.Sub(q.byBody[body][0].called)
}

// receives is how many times goaws handed body out.
func (q *holdLog) receives(body string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.byBody[body])
}

// checkSettled fails t unless the poller deleted body after the receive
// its handler settled, and the message stayed gone. It may come back only
// when that delete returned after the hold could have ended (goaws starts
// the hold after the Receive call), as SQS would redeliver it too: a
// stalled machine makes that delete late, and is not the poller's fault.
func (q *holdLog) checkSettled(t *testing.T, body string) {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	hs := q.byBody[body]
	for i, h := range hs {
		if h.deleted.IsZero() {
			continue
		}
		switch late := !h.deleted.Before(h.called.Add(q.visibility)); {
		case i == len(hs)-1:
		case late:
			t.Logf("%s came back after a delete the machine made late (%s after its receive)", body, h.deleted.Sub(h.called))
		default:
			t.Errorf("%s came back although its delete returned %s after its receive, within the %s hold", body, h.deleted.Sub(h.called), q.visibility)
		}
		return
	}
	t.Errorf("%s was never deleted", body)
}
