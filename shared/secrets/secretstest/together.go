package secretstest

import (
	"sync/atomic"
	"testing"
	"time"
)

// Together returns arrive: each of its first n calls returns once all n
// have been made (later calls at once), so n concurrent rotations can all
// read the record before any writes. A call still waiting after 10 s
// fails t and returns.
func Together(t testing.TB, n int32) (arrive func()) {
	var calls atomic.Int32
	all := make(chan struct{})
	return func() {
		switch c := calls.Add(1); {
		case c == n:
			close(all)
		case c < n:
			select {
			case <-all:
			case <-time.After(10 * time.Second):
				t.Error("fewer concurrent calls than expected arrived")
			}
		}
	}
}
