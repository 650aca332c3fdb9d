package dlq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// Locks are named locks shared by every process that scans the DLQ (the
// api Lambdas and the CLI), ending by themselves: dynamo.Locks.
type Locks interface {
	// Acquire takes name for ttl unless it is held; "" when it is.
	Acquire(ctx context.Context, name string, ttl time.Duration) (token string, err error)
	// Extend moves the end of a held lock; false when token lost it.
	Extend(ctx context.Context, name, token string, ttl time.Duration) (bool, error)
	Release(ctx context.Context, name, token string) error
	// End is when a held lock ends by itself unless extended; the zero
	// time when it is free.
	End(ctx context.Context, name string) (time.Time, error)
}

// A scan receives every message of the DLQ and hides each until it ends,
// so two scans at once would each miss what the other holds: a redrive
// would miss dead letters, a listing would come back short. With Locks,
// one scan runs at a time.
const (
	scanLockName = "dlq-scan"
	// ScanLockTTL is how long a crashed scan can keep the others out, or
	// as long as the messages it hid stay hidden, if longer (keep).
	ScanLockTTL = 30 * time.Second
	// lockPoll is how often a scan waiting for the lock tries again.
	lockPoll = 200 * time.Millisecond
)

// ErrBusy means another scan of the DLQ kept it for longer than this one
// could wait. The error returned says when its lock ends (busyError),
// when that could be read.
var ErrBusy = errors.New("another scan of the DLQ is running: try again shortly")

// errLockLost means the scan lock ended (the scan outlived ScanLockTTL
// without extending it) and another scan may be running.
var errLockLost = errors.New("the DLQ scan lock was lost: another scan may have missed messages this one held")

// scanLock is a scan's hold on the lock; the zero value (no Locks) holds
// nothing and keeps nothing out.
type scanLock struct {
	locks    Locks
	token    string
	extended time.Time // when it was last taken or extended
	end      time.Time // when it ends, unless extended
	now      func() time.Time
}

// lockScan takes the scan lock, waiting up to patience for the scan that
// holds it: ErrBusy after that.
func (o *Ops) lockScan(ctx context.Context, patience time.Duration) (*scanLock, error) {
	l := &scanLock{locks: o.Locks, now: o.Now}
	if o.Locks == nil {
		return l, nil
	}
	deadline := o.Now().Add(patience)
	for {
		tok, err := o.Locks.Acquire(ctx, scanLockName, ScanLockTTL)
		if err != nil {
			return nil, err
		}
		if tok != "" {
			l.token, l.extended = tok, o.Now()
			l.end = l.extended.Add(ScanLockTTL)
			return l, nil
		}
		if !o.Now().Before(deadline) {
			return nil, o.busy(ctx)
		}
		if err := wait.Sleep(ctx, lockPoll); err != nil {
			return nil, err
		}
	}
}

// keep extends the lock once a third of it has run, so a long scan keeps
// it and a crashed one lets go within ScanLockTTL, and whenever it would
// end before cover: a scan's messages must all be visible again by the
// time a crashed scan lets go of the lock (the scan renews them for twice
// as long as it has run, so the lock is extended to twice that again, not
// at every receive).
func (l *scanLock) keep(ctx context.Context, cover time.Time) error {
	now := l.now()
	if l.token == "" || now.Sub(l.extended) < ScanLockTTL/3 && !l.end.Before(cover) {
		return nil
	}
	ttl := max(ScanLockTTL, 2*cover.Sub(now))
	ok, err := l.locks.Extend(ctx, scanLockName, l.token, ttl)
	if err != nil {
		return err
	}
	if !ok {
		return errLockLost
	}
	l.extended, l.end = now, now.Add(ttl)
	return nil
}

// unlock frees the lock, even when ctx is cancelled: the next scan must
// not wait out ScanLockTTL. A failure only delays it that long.
func (l *scanLock) unlock(ctx context.Context) {
	if l.token == "" {
		return
	}
	ctx, cancel := detach.Bookkeeping(ctx)
	defer cancel()
	_ = l.locks.Release(ctx, scanLockName, l.token)
}

// RecoverInterval is how often one organization's recovers may read its
// dead letters: each call may send up to RecoverMax of them at once, so
// without a bound one tenant calling recover in a loop would run up the
// read and send bill with every call.
const RecoverInterval = 30 * time.Second

// ErrRecentScan means the organization's last recover read its dead
// letters less than RecoverInterval ago.
var ErrRecentScan = fmt.Errorf("this organization's dead letters were looked for less than %s ago", RecoverInterval)

// claimRecoverScan takes the organization's turn to read its dead letters,
// or ErrRecentScan. A turn used ends after RecoverInterval; giveBack
// returns one that was not (the read failed, nothing was sent).
func (o *Ops) claimRecoverScan(ctx context.Context, orgID string) (giveBack func(), err error) {
	if o.Locks == nil {
		return func() {}, nil
	}
	name := "dlq-recover#" + orgID
	tok, err := o.Locks.Acquire(ctx, name, RecoverInterval)
	if err != nil {
		return nil, err
	}
	if tok == "" {
		return nil, ErrRecentScan
	}
	return func() {
		ctx, cancel := detach.Bookkeeping(ctx)
		defer cancel()
		_ = o.Locks.Release(ctx, name, tok) // else the turn ends by itself
	}, nil
}
