package dlq

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// lockedOps returns Ops over the fixture's queues with the table's locks.
func (f *fixture) lockedOps(t *testing.T) (*Ops, *dynamo.Locks) {
	t.Helper()
	db, table := f.tableOf(t)
	locks := dynamo.NewLocks(db, table)
	ops := f.ops(nil)
	ops.Locks = locks
	return ops, locks
}

// A scan hides every message until it ends. Operators listing, and
// redrives selecting nothing, all at once, must not make each other miss
// any: with the lock they take turns.
func TestConcurrentScansTakeTurns(t *testing.T) {
	f := newFixture(t, 40)
	ops, _ := f.lockedOps(t)
	// About turns, not patience (TestScanWaitsForTheRunningOneThenGivesUp):
	// on a starved machine twelve scans may queue for a while.
	ops.LockWait = time.Minute
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 3 {
		wg.Go(func() {
			for range 3 {
				page, err := ops.List(ctx, Filter{}, 1000, "")
				if err != nil {
					errs <- err
					return
				}
				if len(page.Entries) != len(f.seeds) {
					errs <- errors.New("a listing beside other scans came back short")
					return
				}
			}
		})
		wg.Go(func() {
			res, err := ops.Redrive(ctx, Filter{OrgID: "org_none" + string(rune('a'+i))}, false, nil)
			if err != nil || res.Matched != 0 {
				errs <- errors.New("a redrive with nothing to find failed or found something")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestRecoverReadsTheIndexOncePerInterval(t *testing.T) {
	f := newFixture(t, 30)
	ops, locks := f.lockedOps(t)
	f.withIndex(t)
	ops.Index = f.idx
	now := time.Now()
	locks.Now = func() time.Time { return now }
	ctx := context.Background()
	since := f.base.Add(-24 * time.Hour)

	if n, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga0", since, queue.Pace{}); err != nil || n != len(f.indexed("org_a", "wh_orga0")) {
		t.Fatalf("first recover: %d, %v; want %d", n, err, len(f.indexed("org_a", "wh_orga0")))
	}
	if _, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga1", since, queue.Pace{}); !errors.Is(err, ErrRecentScan) {
		t.Fatalf("the same organization again at once: %v, want ErrRecentScan", err)
	}
	if n, err := ops.RedriveWebhook(ctx, "org_b", "wh_orgb0", since, queue.Pace{}); err != nil || n != len(f.indexed("org_b", "wh_orgb0")) {
		t.Fatalf("another organization: %d, %v", n, err)
	}
	now = now.Add(RecoverInterval + time.Second) // a lock ends on a whole second at or after its ttl
	if n, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga1", since, queue.Pace{}); err != nil || n != len(f.indexed("org_a", "wh_orga1")) {
		t.Fatalf("after the interval: %d, %v; want %d", n, err, len(f.indexed("org_a", "wh_orga1")))
	}
}

func TestScanWaitsForTheRunningOneThenGivesUp(t *testing.T) {
	f := newFixture(t, 10)
	ops, locks := f.lockedOps(t)
	ops.LockWait = 300 * time.Millisecond
	f.withIndex(t)
	ops.Index = f.idx
	ctx := context.Background()
	token, err := locks.Acquire(ctx, scanLockName, time.Minute) // a scan elsewhere
	if err != nil || token == "" {
		t.Fatalf("acquire: %q, %v", token, err)
	}
	if _, err := ops.List(ctx, Filter{}, 100, ""); !errors.Is(err, ErrBusy) {
		t.Fatalf("list beside a running scan: %v, want ErrBusy", err)
	}
	// A tenant's recover reads its index, not the DLQ: a scan running
	// keeps no tenant waiting.
	if n, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga0", f.base.Add(-24*time.Hour), queue.Pace{}); err != nil || n != len(f.indexed("org_a", "wh_orga0")) {
		t.Fatalf("recover beside a running scan: %d, %v; want its %d dead letters", n, err, len(f.indexed("org_a", "wh_orga0")))
	}
	req := httptest.NewRequest("GET", "/api/v1/admin/dlq", nil)
	rec := httptest.NewRecorder()
	NewAdminHandler(ops).ServeHTTP(rec, req)
	if rec.Code != http.StatusConflict || rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("admin list beside a running scan: %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if _, body := call(t, NewAdminHandler(ops), "GET", "/api/v1/admin/dlq", ""); errorCode(body) != "dlq_busy" {
		t.Fatalf("error body %v", body)
	}
	// Once it ends, the next scan runs and sees everything.
	if err := locks.Release(ctx, scanLockName, token); err != nil {
		t.Fatal(err)
	}
	// All but what the recover sent back, which a listing leaves out.
	if page, err := ops.List(ctx, Filter{}, 100, ""); err != nil || len(page.Entries) != len(f.seeds)-len(f.indexed("org_a", "wh_orga0")) {
		t.Fatalf("list after the scan ended: %d entries, %v; want %d", len(page.Entries), err, len(f.seeds)-len(f.indexed("org_a", "wh_orga0")))
	}
}

// spyLocks is the table's locks, counting extensions, and refusing those
// from the refuseFrom-th on (0: none), as if the lock had ended and
// another scan had taken it.
type spyLocks struct {
	*dynamo.Locks
	extended   atomic.Int32
	refuseFrom atomic.Int32
	longest    atomic.Int64 // the longest ttl asked of Extend
}

func (s *spyLocks) Extend(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
	n := s.extended.Add(1)
	for longest := s.longest.Load(); int64(ttl) > longest && !s.longest.CompareAndSwap(longest, int64(ttl)); longest = s.longest.Load() {
	}
	if from := s.refuseFrom.Load(); from > 0 && n >= from {
		return false, nil
	}
	return s.Locks.Extend(ctx, name, token, ttl)
}

// A crashed listing keeps the other scans out until its lock ends. It
// hides messages for PeekVisibility only, never for HoldVisibility, so a
// short one must not extend the lock past ScanLockTTL; a redrive holds
// what it selects, and its lock covers that hold.
func TestAListingLocksNoLongerThanItHides(t *testing.T) {
	f := newFixture(t, 3)
	ops, locks := f.lockedOps(t)
	spy := &spyLocks{Locks: locks}
	ops.Locks = spy
	ctx := context.Background()
	if page, err := ops.List(ctx, Filter{}, 100, ""); err != nil || len(page.Entries) != len(f.seeds) {
		t.Fatalf("listing: %d entries, %v", len(page.Entries), err)
	}
	if longest := time.Duration(spy.longest.Load()); longest > ScanLockTTL {
		t.Fatalf("a short listing extended the scan lock to %s, past ScanLockTTL (%s)", longest, ScanLockTTL)
	}
	if _, err := ops.Redrive(ctx, Filter{}, false, nil); err != nil {
		t.Fatalf("redrive: %v", err)
	}
	if longest := time.Duration(spy.longest.Load()); longest < ops.HoldVisibility {
		t.Fatalf("a redrive's lock was extended to %s, shorter than the %s its messages are held", longest, ops.HoldVisibility)
	}
}

func TestALongScanKeepsTheLockOrStops(t *testing.T) {
	f := newFixture(t, 25)
	ops, locks := f.lockedOps(t)
	spy := &spyLocks{Locks: locks}
	ops.Locks = spy
	// Every reading of the clock is 11 s on: each receive is due to
	// extend (a third of ScanLockTTL).
	var mu sync.Mutex
	clock := time.Now()
	ops.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(11 * time.Second)
		return clock
	}
	ctx := context.Background()
	if page, err := ops.List(ctx, Filter{}, 100, ""); err != nil || len(page.Entries) != len(f.seeds) {
		t.Fatalf("a long listing: %d entries, %v", len(page.Entries), err)
	}
	if spy.extended.Load() < 3 {
		t.Fatalf("a scan of %d receives extended its lock %d times", len(f.seeds)/10+1, spy.extended.Load())
	}
	// The lock is lost after the first receive. What the scan holds by
	// then must be released, not left to its peek (long here).
	ops.PeekVisibility = time.Minute
	spy.refuseFrom.Store(spy.extended.Load() + 2)
	if _, err := ops.List(ctx, Filter{}, 100, ""); !errors.Is(err, errLockLost) {
		t.Fatalf("a scan whose lock was taken: %v, want errLockLost", err)
	}
	spy.refuseFrom.Store(0)
	if page, err := ops.List(ctx, Filter{}, 100, ""); err != nil || len(page.Entries) != len(f.seeds) {
		t.Fatalf("after the stopped scan: %d entries, %v; want every message released", len(page.Entries), err)
	}
}

// slowQueue answers each receive late, as a large DLQ over the internet
// keeps a scan going. A receive still waiting when the scan's time ends
// is never sent; one sent runs to its end and returns its handles. A
// receive cancelled on the wire may hide messages whose handles the scan
// never gets (they come back after their peek): no cleanup can release
// those, and a test of the cleanup must not depend on when the load lets
// the cancellation land.
type slowQueue struct {
	Queue
	delay time.Duration
}

func (s slowQueue) ReceiveOnce(ctx context.Context, url string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(s.delay):
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.Queue.ReceiveOnce(context.WithoutCancel(ctx), url, max, wait, visibility)
}

// patientLocks takes the lock however late: a put cancelled on the wire
// may have been applied, leaving the lock to a token nobody knows for
// ScanLockTTL. The scan's time is then spent before its first receive,
// which it must handle just the same.
type patientLocks struct{ *dynamo.Locks }

func (l patientLocks) Acquire(ctx context.Context, name string, ttl time.Duration) (string, error) {
	return l.Locks.Acquire(context.WithoutCancel(ctx), name, ttl)
}

// An api Lambda's request has a deadline, after which the process may be
// stopped mid-cleanup, leaving the lock to keep every scan out for
// ScanLockTTL. A scan that cannot finish stops early enough to release
// its messages and the lock first.
func TestAScanUnderADeadlineCleansUpBeforeIt(t *testing.T) {
	f := newFixture(t, 30)
	db, table := testenv.Table(t)
	locks := dynamo.NewLocks(db, table)
	// Four receives (three batches of ten, then an empty one) end a scan
	// of thirty: with a second before each, it cannot end in its two
	// seconds, but usually receives a batch it must release.
	const delay, working = time.Second, 2 * time.Second
	ops := f.opsOver(slowQueue{Queue: f.q, delay: delay}, nil)
	ops.Locks = patientLocks{locks}
	// Unreleased messages stay hidden past the checks below.
	ops.PeekVisibility = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTime+working)
	defer cancel()

	_, err := ops.List(ctx, Filter{}, 100, "")
	if err == nil || ctx.Err() != nil {
		t.Fatalf("a listing that cannot finish in its time: %v, caller's deadline passed: %v; want an error before the deadline", err, ctx.Err())
	}
	token, err := locks.Acquire(context.Background(), scanLockName, time.Minute)
	if err != nil || token == "" {
		t.Fatalf("the lock after the stopped scan: %q, %v; want it free", token, err)
	}
	if err := locks.Release(context.Background(), scanLockName, token); err != nil {
		t.Fatal(err)
	}
	if page, err := f.ops(nil).List(context.Background(), Filter{}, 100, ""); err != nil || len(page.Entries) != len(f.seeds) {
		t.Fatalf("after the stopped scan: %d entries, %v; want every message back", len(page.Entries), err)
	}
}
