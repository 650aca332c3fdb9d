package detach

import (
	"context"
	"testing"
	"time"
)

type key struct{}

func TestBookkeepingOutlivesItsCallerButNotItsOwnBound(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "req-1"))
	cancel()
	ctx, done := Bookkeeping(parent)
	defer done()
	if err := ctx.Err(); err != nil {
		t.Fatalf("bookkeeping context ended with its cancelled caller: %v", err)
	}
	if ctx.Value(key{}) != "req-1" {
		t.Fatal("bookkeeping context lost the caller's values")
	}
	deadline, ok := ctx.Deadline()
	if !ok || time.Until(deadline) > BookkeepingTimeout {
		t.Fatalf("deadline %v (set=%v), want at most %s from now", deadline, ok, BookkeepingTimeout)
	}
	done()
	if ctx.Err() == nil {
		t.Fatal("cancel func did not end the bookkeeping context")
	}
}

// A grace context has no deadline of its own while its caller lasts, and
// ends its grace after the caller does, not at once.
func TestGraceOutlivesItsCallerByItsGraceOnly(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "req-1"))
	defer cancel()
	ctx, done := graceAfter(parent, 50*time.Millisecond)
	defer done()
	if _, ok := ctx.Deadline(); ok || ctx.Value(key{}) != "req-1" {
		t.Fatal("a grace context has a deadline of its own, or lost the caller's values")
	}
	// Measured from before the cancel, so a test goroutine held up after
	// it cannot make a grace look shorter than it was.
	cancelled := time.Now()
	cancel()
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute):
		t.Fatal("the grace context outlived its grace")
	}
	if lasted := time.Since(cancelled); lasted < 50*time.Millisecond {
		t.Fatalf("the grace context ended %s after its caller, before its 50ms grace", lasted)
	}
}

func TestGraceEndsWithItsCancelFunc(t *testing.T) {
	ctx, done := Grace(context.Background())
	done()
	if ctx.Err() == nil {
		t.Fatal("cancel func did not end the grace context")
	}
}
