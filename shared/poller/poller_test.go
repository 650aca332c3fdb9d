package poller

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// fixture is one goaws queue with messages sent to it. Each test has its
// own goaws, so the tests run in parallel: most of their time is spent
// waiting out visibility timeouts.
type fixture struct {
	api *sqs.Client
	q   *sqsqueue.Client
	url string
}

func newFixture(t *testing.T, visibility int, bodies ...string) fixture {
	t.Helper()
	api := testenv.SQSClient(t, testenv.Goaws(t))
	url := testenv.Queue(t, api, "poller-test", map[string]string{"VisibilityTimeout": fmt.Sprint(visibility)})
	q := sqsqueue.New(api)
	for _, b := range bodies {
		if err := q.Send(context.Background(), url, queue.Message{Body: b}); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	return fixture{api: api, q: q, url: url}
}

// start runs p in the background; the returned stop cancels it and reports
// how long Run took to return.
func start(t *testing.T, p *Poller) (stop func() time.Duration) {
	t.Helper()
	if p.Logger == nil {
		p.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	var took time.Duration
	stop = func() time.Duration {
		once.Do(func() {
			t0 := time.Now()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
			took = time.Since(t0)
		})
		return took
	}
	t.Cleanup(func() { stop() })
	return stop
}

// remaining receives everything left on the queue, without deleting it:
// it holds what it receives, and once the queue's depth (visible, in
// flight or delayed) equals what it holds, nothing else is there. Messages
// still in flight are waited for until their visibility timeout ends.
func (f fixture) remaining(t *testing.T) []string {
	t.Helper()
	var bodies []string
	testenv.WaitFor(t, 30*time.Second, "every message on the queue in hand", func() bool {
		msgs, err := f.q.Receive(context.Background(), f.url, 10, 0, time.Hour)
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		for _, m := range msgs {
			bodies = append(bodies, m.Body)
		}
		depth, err := testenv.QueueDepth(context.Background(), f.api, f.url)
		return err == nil && depth == len(bodies)
	})
	slices.Sort(bodies)
	return bodies
}

// recorder counts how often the handler saw each message.
type recorder struct {
	mu   sync.Mutex
	seen map[string]int
}

func (r *recorder) note(batch []events.SQSMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]int{}
	}
	for _, m := range batch {
		r.seen[m.Body]++
	}
}

func (r *recorder) count(body string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[body]
}

// stallVisibility is the visibility timeout of the queues whose failures
// must come back within a test. A loaded machine can stall a poller past
// it between a receive and its delete, so a success may come back too:
// holdLog.checkSettled tells that apart from a poller that forgot it.
const stallVisibility = 2

func TestPartialBatchFailureLeavesExactlyTheFailedMessages(t *testing.T) {
	t.Parallel()
	ok := []string{"ok-1", "ok-2", "ok-3"}
	bad := []string{"fail-1", "fail-2", "fail-3"}
	const visibility = stallVisibility * time.Second
	f := newFixture(t, stallVisibility, append(slices.Clone(ok), bad...)...)

	var rec recorder
	clock := &holdLog{Queue: f.q, visibility: visibility}
	stop := start(t, &Poller{Name: "test", Queue: clock, QueueURL: f.url, Wait: time.Second,
		Handler: func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
			rec.note(e.Records)
			var resp events.SQSEventResponse
			for _, m := range e.Records {
				if strings.HasPrefix(m.Body, "fail-") {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				}
			}
			return resp, nil
		}})

	// Wait until every failed message came back once: that takes one
	// visibility timeout, long enough for a wrongly kept success to return.
	testenv.WaitFor(t, 15*time.Second, "failed messages to be redelivered", func() bool {
		for _, b := range bad {
			if rec.count(b) < 2 {
				return false
			}
		}
		return true
	})
	stop()

	for _, b := range ok {
		if n := rec.count(b); n == 0 || n != clock.receives(b) {
			t.Errorf("%s handled %d times in %d receives", b, n, clock.receives(b))
		}
		clock.checkSettled(t, b)
	}
	for _, b := range bad {
		// The poller must not shorten the visibility timeout of a failure.
		if gap := clock.redeliveredAfter(b); gap < visibility-300*time.Millisecond {
			t.Errorf("%s redelivered after %s, before the %s visibility timeout", b, gap, visibility)
		}
	}
	if got := f.remaining(t); !slices.Equal(got, bad) {
		t.Fatalf("queue holds %v, want exactly the failed %v", got, bad)
	}
}

func TestWholeBatchFailuresLoseNothing(t *testing.T) {
	t.Parallel()
	cases := map[string]func(events.SQSEvent) (events.SQSEventResponse, error){
		"panic": func(events.SQSEvent) (events.SQSEventResponse, error) { panic("handler bug") },
		"error": func(events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{}, errors.New("dynamodb unavailable")
		},
		"unknown item identifier": func(e events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "not-in-batch"}}}, nil
		},
	}
	for name, failOnce := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each case has its own goaws
			bodies := []string{"m-1", "m-2", "m-3"}
			f := newFixture(t, stallVisibility, bodies...)
			holds := &holdLog{Queue: f.q, visibility: stallVisibility * time.Second}
			var (
				mu        sync.Mutex
				calls     int
				firstSeen []string
				succeeded []string
			)
			stop := start(t, &Poller{Name: "test", Queue: holds, QueueURL: f.url, Wait: time.Second,
				Handler: func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
					mu.Lock()
					calls++
					first := calls == 1
					for _, m := range e.Records {
						if first {
							firstSeen = append(firstSeen, m.Body)
						} else {
							succeeded = append(succeeded, m.Body)
						}
					}
					mu.Unlock()
					if first {
						return failOnce(e)
					}
					return events.SQSEventResponse{}, nil
				}})
			// The poller survives the failure and the failed batch returns.
			testenv.WaitFor(t, 15*time.Second, "every message to be handled successfully", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(succeeded) >= len(bodies)
			})
			stop()

			mu.Lock()
			defer mu.Unlock()
			if len(firstSeen) == 0 {
				t.Fatal("the failing invocation saw no message")
			}
			for _, b := range firstSeen {
				if !slices.Contains(succeeded, b) {
					t.Errorf("%s was in the failed batch and never came back", b)
				}
			}
			slices.Sort(succeeded)
			if got := slices.Compact(slices.Clone(succeeded)); !slices.Equal(got, bodies) {
				t.Errorf("succeeded %v, want each of %v", succeeded, bodies)
			}
			for _, b := range bodies {
				holds.checkSettled(t, b)
			}
			// Run returned, so the deletes that follow each invocation are done.
			if depth, err := testenv.QueueDepth(context.Background(), f.api, f.url); err != nil || depth != 0 {
				t.Errorf("queue still holds %d messages after success (%v)", depth, err)
			}
		})
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	t.Parallel()
	// The bounds below are far above a prompt return, so a loaded machine
	// cannot break them, and far below what not stopping would take.
	t.Run("idle long poll", func(t *testing.T) {
		const wait = 20 * time.Second // SQS's longest long poll
		f := newFixture(t, 30)
		q := &receiveCounter{Queue: f.q}
		stop := start(t, &Poller{Name: "test", Queue: q, QueueURL: f.url, Wait: wait, Concurrency: 3,
			Handler: func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{}, nil
			}})
		testenv.WaitFor(t, 10*time.Second, "every worker inside ReceiveMessage", func() bool { return q.calls.Load() >= 3 })
		if took := stop(); took > wait/4 {
			t.Fatalf("Run took %s to return during a %s long poll", took, wait)
		}
	})
	t.Run("handler in flight", func(t *testing.T) {
		f := newFixture(t, 1, "slow")
		entered := make(chan struct{})
		stop := start(t, &Poller{Name: "test", Queue: f.q, QueueURL: f.url, Wait: time.Second,
			Handler: func(ctx context.Context, _ events.SQSEvent) (events.SQSEventResponse, error) {
				close(entered)
				<-ctx.Done() // the handler honours cancellation, as delivery's HTTP calls do
				return events.SQSEventResponse{}, ctx.Err()
			}})
		select {
		case <-entered:
		case <-time.After(30 * time.Second):
			t.Fatal("handler never invoked")
		}
		if took := stop(); took > 5*time.Second {
			t.Fatalf("Run took %s to return", took)
		}
		if left := f.remaining(t); !slices.Equal(left, []string{"slow"}) {
			t.Fatalf("queue holds %v, want the interrupted message back", left)
		}
	})
}

// receiveCounter counts the receives started.
type receiveCounter struct {
	Queue
	calls atomic.Int32
}

func (q *receiveCounter) Receive(ctx context.Context, url string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error) {
	q.calls.Add(1)
	return q.Queue.Receive(ctx, url, max, wait, visibility)
}

func TestConcurrencyKeepsBatchesInFlight(t *testing.T) {
	t.Parallel()
	const n = 3
	f := newFixture(t, 30, "c-1", "c-2", "c-3")
	var (
		mu       sync.Mutex
		inFlight int
		peak     int
	)
	release := make(chan struct{})
	stop := start(t, &Poller{Name: "test", Queue: f.q, QueueURL: f.url, Wait: time.Second, BatchSize: 1, Concurrency: n,
		Handler: func(ctx context.Context, _ events.SQSEvent) (events.SQSEventResponse, error) {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			if inFlight == n {
				close(release)
			}
			mu.Unlock()
			select {
			case <-release:
			case <-ctx.Done():
			}
			mu.Lock()
			inFlight--
			mu.Unlock()
			return events.SQSEventResponse{}, nil
		}})
	select {
	case <-release:
	case <-time.After(30 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("at most %d batches were in flight, want %d", peak, n)
	}
	stop()
}

func TestTimeoutBoundsAnInvocation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 30, "t-1")
	got := make(chan error, 1)
	stop := start(t, &Poller{Name: "test", Queue: f.q, QueueURL: f.url, Wait: time.Second, Timeout: 200 * time.Millisecond,
		Handler: func(ctx context.Context, _ events.SQSEvent) (events.SQSEventResponse, error) {
			<-ctx.Done()
			got <- ctx.Err()
			return events.SQSEventResponse{}, ctx.Err()
		}})
	select {
	case err := <-got:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("handler context ended with %v, want deadline exceeded", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the invocation was not bounded by Timeout")
	}
	stop()
}

func TestRunRejectsMisconfiguration(t *testing.T) {
	for name, p := range map[string]*Poller{
		"no handler": {Queue: sqsqueue.New(nil), QueueURL: "u"},
		"no queue url": {Queue: sqsqueue.New(nil), Handler: func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{}, nil
		}},
		"batch too large": {Queue: sqsqueue.New(nil), QueueURL: "u", BatchSize: 11, Handler: func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{}, nil
		}},
	} {
		if err := p.Run(context.Background()); err == nil {
			t.Errorf("%s: Run accepted it", name)
		}
	}
}

// warnings counts log records at Warn and above.
type warnings struct {
	slog.Handler
	mu  sync.Mutex
	msg []string
}

func (w *warnings) Enabled(context.Context, slog.Level) bool { return true }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		w.mu.Lock()
		w.msg = append(w.msg, r.Message)
		w.mu.Unlock()
	}
	return nil
}

func TestMessageTheHandlerDeletedItselfIsNotAWarning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 30, "self-deleted")
	var warn warnings
	handled := make(chan struct{}, 1)
	p := &Poller{Name: "test", Queue: f.q, QueueURL: f.url, Wait: time.Second, Logger: slog.New(&warn),
		Handler: func(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
			for _, m := range e.Records {
				if err := f.q.Delete(ctx, f.url, m.ReceiptHandle); err != nil {
					t.Errorf("handler delete: %v", err)
				}
			}
			handled <- struct{}{}
			return events.SQSEventResponse{}, nil
		}}
	stop := start(t, p)
	select {
	case <-handled:
	case <-time.After(30 * time.Second):
		t.Fatal("handler never invoked")
	}
	stop()
	warn.mu.Lock()
	defer warn.mu.Unlock()
	if len(warn.msg) != 0 {
		t.Fatalf("warnings logged: %v", warn.msg)
	}
}
