package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// errInterrupted is the cause of a context cancelled by a signal.
var errInterrupted = errors.New("stopped by a signal")

// interruptible is ctx cancelled by the first SIGINT (Ctrl-C) or SIGTERM,
// with errInterrupted as its cause, so a command stops as on any cancel: a
// dlq scan makes the messages it held visible again and frees the scan
// lock, and a redrive prints what it did. The signals' default handling
// is back before the cancel, so a second one kills the process at once.
// stop ends the watch and cancels ctx.
func interruptible(ctx context.Context) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	quit, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case s := <-signals:
			signal.Stop(signals)
			cancel(fmt.Errorf("%w: %v", errInterrupted, s))
		case <-quit:
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(signals)
		close(quit)
		<-watched
		cancel(nil)
	}
}

// interruptedError is what main prints for err, the error of a command
// that ctx's signal stopped: only the signal when err is the cancel
// itself, err with it otherwise.
func interruptedError(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if errors.Is(err, context.Canceled) {
		return cause
	}
	return fmt.Errorf("%w (%v)", err, cause)
}
