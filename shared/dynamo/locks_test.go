package dynamo_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// clockedLocks returns the table's locks on a clock the test moves.
func clockedLocks(t *testing.T) (*dynamo.Locks, *time.Time) {
	db, table := testenv.Table(t)
	l := dynamo.NewLocks(db, table)
	now := time.Date(2026, 11, 30, 12, 0, 0, 400_000_000, time.UTC)
	l.Now = func() time.Time { return now }
	return l, &now
}

func TestLocksHoldEndAndBelongToTheirToken(t *testing.T) {
	l, now := clockedLocks(t)
	ctx := context.Background()
	acquire := func(name string) string {
		t.Helper()
		tok, err := l.Acquire(ctx, name, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	first := acquire("dlq-scan")
	if first == "" {
		t.Fatal("a free lock was not taken")
	}
	if tok := acquire("dlq-scan"); tok != "" {
		t.Fatal("a held lock was taken again")
	}
	if tok := acquire("dlq-recover#org_a"); tok == "" {
		t.Fatal("another name is another lock")
	}
	// It lasts at least its ttl: whole seconds round up.
	*now = now.Add(30 * time.Second)
	if tok := acquire("dlq-scan"); tok != "" {
		t.Fatal("taken before 30 s had passed")
	}
	// Extended by its holder only.
	if ok, err := l.Extend(ctx, "dlq-scan", "lck_other", time.Minute); ok || err != nil {
		t.Fatalf("extend with a stranger's token: %v, %v", ok, err)
	}
	if ok, err := l.Extend(ctx, "dlq-scan", first, time.Minute); !ok || err != nil {
		t.Fatalf("extend by the holder: %v, %v", ok, err)
	}
	*now = now.Add(59 * time.Second)
	if tok := acquire("dlq-scan"); tok != "" {
		t.Fatal("taken within the extension")
	}
	// Released by its holder only.
	if err := l.Release(ctx, "dlq-scan", "lck_other"); err != nil {
		t.Fatal(err)
	}
	if tok := acquire("dlq-scan"); tok != "" {
		t.Fatal("a stranger's release freed the lock")
	}
	if err := l.Release(ctx, "dlq-scan", first); err != nil {
		t.Fatal(err)
	}
	second := acquire("dlq-scan")
	if second == "" {
		t.Fatal("a released lock was not taken")
	}
	// A lock that ended goes to the next taker; the old holder has lost it.
	*now = now.Add(31 * time.Second)
	third := acquire("dlq-scan")
	if third == "" {
		t.Fatal("an ended lock was not taken")
	}
	if ok, err := l.Extend(ctx, "dlq-scan", second, time.Minute); ok || err != nil {
		t.Fatalf("the old holder extended a lock it lost: %v, %v", ok, err)
	}
	if err := l.Release(ctx, "dlq-scan", second); err != nil {
		t.Fatal(err)
	}
	if tok := acquire("dlq-scan"); tok != "" {
		t.Fatal("the old holder's release freed the new holder's lock")
	}
}

func TestLocksOneTakerAtATime(t *testing.T) {
	db, table := testenv.Table(t)
	l := dynamo.NewLocks(db, table)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	errs := make([]error, 8)
	for i := range tokens {
		wg.Go(func() { tokens[i], errs[i] = l.Acquire(context.Background(), "dlq-scan", time.Minute) })
	}
	wg.Wait()
	taken := 0
	for i, tok := range tokens {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if tok != "" {
			taken++
		}
	}
	if taken != 1 {
		t.Fatalf("%d of 8 concurrent takers got the lock, want 1", taken)
	}
}

// The SDK sends a put again when its answer was lost. The lock was taken
// by the first send: the second must find it its own, not held.
func TestLockAcquireSurvivesARetriedPut(t *testing.T) {
	var resent atomic.Bool
	l := locksWithFirstPut(t, func(call func() error) error {
		resent.Store(true)
		_ = call() // applied; its answer lost on the way back
		return call()
	})
	ctx := context.Background()
	token, err := l.Acquire(ctx, "dlq-scan", time.Minute)
	if err != nil || token == "" || !resent.Load() {
		t.Fatalf("acquire whose put was sent twice: %q, %v (resent %v); want the lock", token, err, resent.Load())
	}
	if other, err := l.Acquire(ctx, "dlq-scan", time.Minute); other != "" || err != nil {
		t.Fatalf("a second taker: %q, %v; want it held", other, err)
	}
	if ok, err := l.Extend(ctx, "dlq-scan", token, time.Minute); !ok || err != nil {
		t.Fatalf("the holder's token: %v, %v", ok, err)
	}
}

func TestLockAcquireThatFailsAfterItsPutLeavesItFree(t *testing.T) {
	l := locksWithFirstPut(t, func(call func() error) error {
		_ = call() // applied; the caller's deadline ends before the answer
		return context.DeadlineExceeded
	})
	ctx := context.Background()
	if token, err := l.Acquire(ctx, "dlq-scan", time.Minute); token != "" || err == nil {
		t.Fatalf("acquire cut off after its put: %q, %v; want an error", token, err)
	}
	if token, err := l.Acquire(ctx, "dlq-scan", time.Minute); token == "" || err != nil {
		t.Fatalf("the next taker: %q, %v; want the lock free, not held for a token nobody has", token, err)
	}
}

// locksWithFirstPut is Locks on a table of its own whose first PutItem
// goes through first (call sends it), every other call as it is.
func locksWithFirstPut(t *testing.T, first func(call func() error) error) *dynamo.Locks {
	t.Helper()
	var used atomic.Bool
	db := testenv.FaultyDynamo(t, testenv.Dynalite(t), func(_ context.Context, in any, call func() error) error {
		if _, put := in.(*dynamodb.PutItemInput); put && used.CompareAndSwap(false, true) {
			return first(call)
		}
		return call()
	})
	if err := dynamo.EnsureTable(context.Background(), db, "hookrelay-locks"); err != nil {
		t.Fatal(err)
	}
	return dynamo.NewLocks(db, "hookrelay-locks")
}

// Those a lock keeps out read when it ends by itself: its stored end,
// moved by an extension, and none once it is released or has ended.
func TestLockEndIsItsStoredEnd(t *testing.T) {
	l, now := clockedLocks(t)
	ctx := context.Background()
	end := func() time.Time {
		t.Helper()
		at, err := l.End(ctx, "dlq-scan")
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	if at := end(); !at.IsZero() {
		t.Fatalf("a lock never taken ends at %v, want the zero time", at)
	}
	tok, err := l.Acquire(ctx, "dlq-scan", 30*time.Second)
	if err != nil || tok == "" {
		t.Fatalf("acquire: %q, %v", tok, err)
	}
	// Whole seconds, rounded up as Acquire stores them.
	if at, want := end(), time.Date(2026, 11, 30, 12, 0, 31, 0, time.UTC); !at.Equal(want) {
		t.Fatalf("held for 30 s: ends at %v, want %v", at, want)
	}
	if ok, err := l.Extend(ctx, "dlq-scan", tok, time.Minute); !ok || err != nil {
		t.Fatalf("extend: %v, %v", ok, err)
	}
	if at, want := end(), time.Date(2026, 11, 30, 12, 1, 1, 0, time.UTC); !at.Equal(want) {
		t.Fatalf("extended by a minute: ends at %v, want %v", at, want)
	}
	*now = now.Add(61 * time.Second) // past its end: free, as Acquire finds it
	if at := end(); !at.IsZero() {
		t.Fatalf("a lock that ended ends at %v, want the zero time", at)
	}
	*now = now.Add(-61 * time.Second)
	if err := l.Release(ctx, "dlq-scan", tok); err != nil {
		t.Fatal(err)
	}
	if at := end(); !at.IsZero() {
		t.Fatalf("a released lock ends at %v, want the zero time", at)
	}
}
