package testenv

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// The ways a process can fail at one call, as the claim audits inject
// them (shared/delivery and shared/fanout claim_audit_test.go).
const (
	KilledBefore = "killed before" // the process died just before the call
	KilledAfter  = "killed after"  // the call was made, then the process died
	Unreachable  = "emulator unreachable"
	Cancelled    = "context cancelled" // the invocation's deadline or a shutdown, just before the call
)

// AllFaults are the four ways.
var AllFaults = []string{KilledBefore, KilledAfter, Unreachable, Cancelled}

// ErrKilled is what a call of a process killed gives its caller.
var ErrKilled = errors.New("process killed")

// OneFault fails the first call of one step, one way, on the real SDK
// call to a real emulator (FaultySQS, FaultyDynamo): StepOf names the step
// of each call a client makes. A killed process is a panic out of the
// caller's invocation, which the handler confines to its message (or the
// poller to its batch), as a crash leaves the message to come back.
type OneFault struct {
	Step, Kind string
	StepOf     func(client string, input any) string
	fired      atomic.Bool
	mu         sync.Mutex
	cancel     map[string]context.CancelFunc
}

// Fired reports whether the fault was injected.
func (f *OneFault) Fired() bool { return f.fired.Load() }

// SetCancel names the function that ends caller's current invocation (a
// handler's, a recover call's): a Cancelled fault at a call of caller's
// client calls it.
func (f *OneFault) SetCancel(caller string, cancel context.CancelFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancel == nil {
		f.cancel = map[string]context.CancelFunc{}
	}
	f.cancel[caller] = cancel
}

// On is the Fault of caller's clients.
func (f *OneFault) On(caller string) Fault { return f.fault(caller, true) }

// OnPoller is the Fault of the event source's own client (its receives
// and deletes): a killed poller never makes the call, and has no
// invocation to panic out of.
func (f *OneFault) OnPoller(name string) Fault { return f.fault(name, false) }

func (f *OneFault) fault(client string, invocation bool) Fault {
	return func(_ context.Context, input any, call func() error) error {
		if f.StepOf(client, input) != f.Step || !f.fired.CompareAndSwap(false, true) {
			return call()
		}
		switch f.Kind {
		case KilledBefore, KilledAfter:
			if f.Kind == KilledAfter {
				_ = call()
			}
			if !invocation {
				return ErrKilled
			}
			panic(ErrKilled)
		case Unreachable:
			return &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		default: // the invocation ends now; the call gets whatever context it was given
			f.mu.Lock()
			f.cancel[client]()
			f.mu.Unlock()
			return call()
		}
	}
}
