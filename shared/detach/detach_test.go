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
