package dlq

import (
	"context"
	"fmt"
	"time"
)

// busyError is ErrBusy saying when the scan lock ends by itself: a scan
// that crashed (killed, a hard Ctrl-C) holds it until then, and an
// operator told only "try again shortly" cannot tell it from a live one,
// nor how long to wait.
type busyError struct {
	end  time.Time // the lock's stored end
	left time.Duration
}

func (e busyError) Error() string {
	return fmt.Sprintf("another scan of the DLQ is running: its lock is held until %s (about %s), longer if that scan runs on; a scan that crashed holds it until then",
		e.end.UTC().Format("15:04:05 UTC"), roughly(e.left))
}

// Is keeps errors.Is(err, ErrBusy) true: callers (the admin API's
// dlq_busy) match the sentinel.
func (e busyError) Is(target error) bool { return target == ErrBusy }

// busy is the error of a scan that waited for the lock in vain: ErrBusy
// alone when the lock's end cannot be read (or it just ended).
func (o *Ops) busy(ctx context.Context) error {
	end, err := o.Locks.End(ctx, scanLockName)
	if err != nil || end.IsZero() {
		return ErrBusy
	}
	return busyError{end: end, left: end.Sub(o.Now())}
}

// roughly says d in whole seconds, rounded up, or past two minutes in
// whole minutes.
func roughly(d time.Duration) string {
	secs := max(1, int((d+time.Second-1)/time.Second))
	if secs < 120 {
		return fmt.Sprintf("%d s", secs)
	}
	return fmt.Sprintf("%d min", (secs+59)/60)
}
