// Package wait holds the one context-aware sleep: adapters' retry loops,
// the DLQ scan, the dev pollers' backoff and the test receiver's delay all
// stop waiting as soon as their caller gives up.
package wait

import (
	"context"
	"time"
)

// Sleep waits for d, or returns ctx's error as soon as ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
