package fanout

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// countingQueue counts SQS calls and messages on the way to goaws.
type countingQueue struct {
	Queue
	calls, msgs atomic.Int64
}

func (c *countingQueue) SendBatch(ctx context.Context, url string, msgs []queue.Message) (int, error) {
	n, err := c.Queue.SendBatch(ctx, url, msgs)
	c.calls.Add(int64(n))
	c.msgs.Add(int64(len(msgs)))
	return n, err
}

func (c *countingQueue) Send(ctx context.Context, url string, m queue.Message) error {
	c.calls.Add(1)
	return c.Queue.Send(ctx, url, m)
}

// BenchmarkFanout10k fans one event out to 10,000 webhooks of one org on
// dynalite (paginated query over 1 MB pages) and goaws. Goal: ≤ 1,100 SQS
// calls per event.
func BenchmarkFanout10k(b *testing.B) {
	const hooks = 10_000
	e := newEnv(b, testCatalog)
	seedWebhooks(b, e, "org_big", hooks)
	counter := &countingQueue{Queue: e.q}
	d := e.deps(testCatalog)
	d.Queue = counter
	h := NewHandler(d)
	rec := record(b, "big", bus.Record{ID: "9b2c0d1e-0000-4000-8000-000000000001", DetailType: "emailClick",
		Time: time.Now().UTC(), Detail: json.RawMessage(`{"organization_id":"org_big","data":{"campaign":"spring","link":"https://example.com/a?b=c"}}`)})

	var elapsed time.Duration
	iters := 0
	for b.Loop() {
		start := time.Now()
		resp, err := h.Handle(e.ctx, events.SQSEvent{Records: []events.SQSMessage{rec}})
		elapsed += time.Since(start)
		iters++
		if err != nil || len(resp.BatchItemFailures) != 0 {
			b.Fatalf("Handle: %v %v", err, resp.BatchItemFailures)
		}
		b.StopTimer()
		if _, err := e.q.API().PurgeQueue(e.ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(e.delivery)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	calls := float64(counter.calls.Load()) / float64(iters)
	msgs := float64(counter.msgs.Load()) / float64(iters)
	if msgs != hooks || calls > 1100 {
		b.Fatalf("per event: %.0f deliveries in %.0f SQS calls, want %d in ≤ 1100", msgs, calls, hooks)
	}
	b.ReportMetric(calls, "sqs-calls/event")
	b.ReportMetric(msgs, "deliveries/event")
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(iters), "ms/event")
}

// seedWebhooks creates n webhooks through the store (its real item layout
// and counter), a few at a time so seeding takes seconds, not minutes.
func seedWebhooks(b *testing.B, e *env, org string, n int) {
	b.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			for range work {
				if _, err := e.createWebhook(org, true, "emailOpen", "emailClick"); err != nil {
					b.Error(err) // Fatal is for the benchmark's own goroutine
				}
			}
		})
	}
	for range n {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	b.Logf("seeded %d webhooks in %s", n, time.Since(start).Round(time.Millisecond))
}
