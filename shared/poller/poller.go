// Package poller emulates the Lambda SQS event source mapping for one queue
// so `hookrelay dev` and end-to-end tests run the very handlers the Lambdas
// run, with the same delivery semantics: long-polled batches of at most 10,
// partial batch failures honoured, and the queue's visibility timeout as the
// only retry clock (the poller never changes visibility itself).
package poller

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// Queue is what the poller needs from SQS; *sqsqueue.Client satisfies it.
type Queue interface {
	Receive(ctx context.Context, queueURL string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error)
	DeleteBatch(ctx context.Context, queueURL string, receiptHandles []string) ([]sqsqueue.DeleteRefused, error)
}

// Defaults, chosen to match a Lambda event source mapping with batch size 10.
const (
	DefaultBatchSize = 10
	DefaultWait      = 2 * time.Second
	// deleteTimeout bounds the deletes that follow an invocation. They run
	// even when the poller is being stopped: the handler has done the work,
	// and skipping the delete would redeliver it.
	deleteTimeout = 10 * time.Second
	maxBackoff    = 5 * time.Second
)

// Poller feeds one queue to one handler. Zero fields take the defaults.
type Poller struct {
	Name     string // for logs: "fanout", "deliver"
	Queue    Queue
	QueueURL string
	Handler  queue.Handler
	// BatchSize is the most messages per invocation (1..10).
	BatchSize int
	// Wait is the long-poll time of each ReceiveMessage (whole seconds).
	Wait time.Duration
	// Concurrency is the number of batches in flight at once.
	Concurrency int
	// Timeout bounds one invocation like a Lambda function timeout (0: none).
	// Keep it below the queue's visibility timeout, as AWS requires.
	Timeout time.Duration
	Logger  *slog.Logger
	// Group, when set, turns on fair dispatch (fair.go): the tenant a
	// message belongs to, as SQS's MessageGroupId would say.
	Group func(events.SQSMessage) string
	// StaleAfter drops pooled messages this old instead of handling them
	// (fair dispatch only; keep it under the queue's visibility timeout).
	StaleAfter time.Duration

	receives receiveCounts
}

// Run polls until ctx is cancelled, then waits for the batches in flight to
// settle and returns nil. It returns an error only for a misconfiguration.
func (p *Poller) Run(ctx context.Context) error {
	if err := app.Require("poller "+p.Name, map[string]any{"Queue": p.Queue, "QueueURL": p.QueueURL, "Handler": p.Handler}); err != nil {
		return err
	}
	if p.BatchSize < 0 || p.BatchSize > 10 {
		return fmt.Errorf("poller %q: batch size %d is outside 1..10", p.Name, p.BatchSize)
	}
	workers := max(p.Concurrency, 1)
	if p.Group != nil {
		p.runFair(ctx, workers)
		return nil
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { p.work(ctx) })
	}
	wg.Wait()
	return nil
}

func (p *Poller) work(ctx context.Context) {
	var backoff time.Duration
	for ctx.Err() == nil {
		if batch := p.receive(ctx, &backoff); len(batch) > 0 {
			p.process(ctx, batch)
		}
	}
}

// receive takes the next batch with each message's true receive count,
// or none. A receive error is the queue's problem, not the messages':
// it backs off (*backoff doubles from 100 ms up to maxBackoff, and a
// receive that works resets it) so a stopped emulator does not flood the
// log; cancellation ends the sleep and the caller's loop.
func (p *Poller) receive(ctx context.Context, backoff *time.Duration) []events.SQSMessage {
	batch, err := p.Queue.Receive(ctx, p.QueueURL, p.batchSize(), p.wait(), 0)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		*backoff = min(max(2*(*backoff), 100*time.Millisecond), maxBackoff)
		p.logger().Warn("receive failed", "poller", p.Name, "error", err, "retry_in", *backoff)
		_ = wait.Sleep(ctx, *backoff)
		return nil
	}
	*backoff = 0
	if len(batch) > 0 {
		p.receives.stamp(batch)
	}
	return batch
}

// process invokes the handler once and deletes what it settled.
func (p *Poller) process(ctx context.Context, batch []events.SQSMessage) {
	resp, err := p.invoke(ctx, batch)
	done, err := settle(batch, resp, err)
	if err != nil {
		p.logger().Warn("batch failed: every message returns after its visibility timeout",
			"poller", p.Name, "messages", len(batch), "error", err)
		return
	}
	if failed := len(batch) - len(done); failed > 0 {
		p.logger().Debug("partial batch failure", "poller", p.Name, "messages", len(batch), "failed", failed)
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deleteTimeout)
	defer cancel()
	handles := make([]string, len(done))
	for i, m := range done {
		handles[i] = m.ReceiptHandle
	}
	// One DeleteMessageBatch, as the event source deletes: a round trip
	// per message would cost the local pipeline a third of its speed.
	refused, err := p.Queue.DeleteBatch(dctx, p.QueueURL, handles)
	if err != nil {
		// Not fatal: the messages come back and the handler, idempotent
		// by design, sees them again (as with Lambda's own delete failures).
		p.logger().Warn("delete failed", "poller", p.Name, "messages", len(done), "error", err)
		return
	}
	kept := map[string]bool{}
	for _, r := range refused {
		if alreadyGone(r) {
			// The handler removed it itself (delivery does after dead-lettering).
			p.logger().Debug("message already deleted", "poller", p.Name)
			continue
		}
		kept[r.ReceiptHandle] = true
		p.logger().Warn("delete failed", "poller", p.Name, "error", r.Code+": "+r.Message)
	}
	for _, m := range done {
		if !kept[m.ReceiptHandle] {
			p.receives.forget(m.MessageId)
		}
	}
}

// invoke runs the handler like the Lambda runtime does: with a deadline,
// and turning a panic into an invocation error instead of a crash.
func (p *Poller) invoke(ctx context.Context, batch []events.SQSMessage) (resp events.SQSEventResponse, err error) {
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Timeout)
		defer cancel()
	}
	defer func() {
		if r := recover(); r != nil {
			p.logger().Error("handler panicked", "poller", p.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			resp, err = events.SQSEventResponse{}, fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return p.Handler(ctx, events.SQSEvent{Records: batch})
}

func (p *Poller) batchSize() int {
	if p.BatchSize == 0 {
		return DefaultBatchSize
	}
	return p.BatchSize
}

func (p *Poller) wait() time.Duration {
	if p.Wait <= 0 {
		return DefaultWait
	}
	return p.Wait
}

func (p *Poller) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}
