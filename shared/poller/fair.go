package poller

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Fair dispatch models SQS fair queues for `make dev` (goaws hands out
// messages in queue order): a fetcher reads ahead into a pool, and each
// invocation takes one group's messages, the group with the fewest
// messages being handled, then the one served longest ago. A tenant's
// backlog then delays the others by at most the batches already running,
// as SQS's fair queues promise for message groups on a standard queue.

// pooled is a received message waiting for an invocation.
type pooled struct {
	m  events.SQSMessage
	at time.Time // received
}

type fairPool struct {
	mu       sync.Mutex
	cond     *sync.Cond
	groups   map[string][]pooled
	inflight map[string]int
	served   map[string]uint64 // when each group was last served
	turn     uint64
	size     int
	closed   bool
}

func newFairPool() *fairPool {
	f := &fairPool{groups: map[string][]pooled{}, inflight: map[string]int{}, served: map[string]uint64{}}
	f.cond = sync.NewCond(&f.mu)
	return f
}

func (f *fairPool) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.cond.Broadcast()
}

// waitRoom blocks until the pool holds fewer than limit messages; false
// once closed.
func (f *fairPool) waitRoom(limit int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.size >= limit && !f.closed {
		f.cond.Wait()
	}
	return !f.closed
}

func (f *fairPool) add(batch []events.SQSMessage, group func(events.SQSMessage) string, now time.Time) {
	f.mu.Lock()
	for _, m := range batch {
		g := group(m)
		f.groups[g] = append(f.groups[g], pooled{m: m, at: now})
		f.size++
	}
	f.mu.Unlock()
	f.cond.Broadcast()
}

// take blocks until messages are pooled and returns up to n of one group,
// chosen fairly. Messages pooled longer than staleAfter (when > 0) are
// dropped instead: their visibility is running out, and the queue hands
// them out again. It returns a nil batch once the pool is closed.
func (f *fairPool) take(n int, staleAfter time.Duration, now func() time.Time) (string, []events.SQSMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		for f.size == 0 && !f.closed {
			f.cond.Wait()
		}
		if f.closed {
			return "", nil
		}
		g := f.pick()
		msgs := f.groups[g]
		var batch []events.SQSMessage
		i := 0
		for ; i < len(msgs) && len(batch) < n; i++ {
			if staleAfter <= 0 || now().Sub(msgs[i].at) < staleAfter {
				batch = append(batch, msgs[i].m)
			}
		}
		f.size -= i
		if f.groups[g] = msgs[i:]; len(f.groups[g]) == 0 {
			delete(f.groups, g)
		}
		f.cond.Broadcast() // room for the fetcher
		if len(batch) > 0 {
			f.inflight[g] += len(batch)
			f.turn++
			f.served[g] = f.turn
			return g, batch
		}
	}
}

// pick is the pooled group with the fewest messages in flight, then the
// one served longest ago, then the one waiting longest.
func (f *fairPool) pick() string {
	best, first := "", true
	for g := range f.groups {
		if first || f.before(g, best) {
			best, first = g, false
		}
	}
	return best
}

func (f *fairPool) before(g, h string) bool {
	if f.inflight[g] != f.inflight[h] {
		return f.inflight[g] < f.inflight[h]
	}
	if f.served[g] != f.served[h] {
		return f.served[g] < f.served[h]
	}
	if a, b := f.groups[g][0].at, f.groups[h][0].at; !a.Equal(b) {
		return a.Before(b)
	}
	return g < h
}

func (f *fairPool) finish(g string, n int) {
	f.mu.Lock()
	if f.inflight[g] -= n; f.inflight[g] <= 0 {
		delete(f.inflight, g)
	}
	f.mu.Unlock()
}

// runFair is Run with fair dispatch: one fetcher, workers serving the pool.
func (p *Poller) runFair(ctx context.Context, workers int) {
	pool := newFairPool()
	stop := context.AfterFunc(ctx, pool.close)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() { p.fetch(ctx, pool) })
	for range workers {
		wg.Go(func() {
			for {
				g, batch := pool.take(p.batchSize(), p.StaleAfter, time.Now)
				if batch == nil {
					return
				}
				p.process(ctx, batch)
				pool.finish(g, len(batch))
			}
		})
	}
	wg.Wait()
}

func (p *Poller) fetch(ctx context.Context, pool *fairPool) {
	lookahead := 4 * max(p.Concurrency, 1) * p.batchSize() // four batches per worker
	var backoff time.Duration
	for ctx.Err() == nil && pool.waitRoom(lookahead) {
		if batch := p.receive(ctx, &backoff); len(batch) > 0 {
			pool.add(batch, p.Group, time.Now())
		}
	}
}
