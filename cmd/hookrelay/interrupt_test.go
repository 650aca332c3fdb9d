package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// interruptedDLQ is a make dev whose DLQ holds three dead letters, with a
// table for the scan lock, reached through a proxy that stalls the SQS
// requests stall picks.
type interruptedDLQ struct {
	localDLQ
	stalled <-chan string
	ops     *dlq.Ops // waits for no scan: ErrBusy while the lock is held
}

func newInterruptedDLQ(t *testing.T, stall func(action string, n int) bool) interruptedDLQ {
	t.Helper()
	l := newLocalDLQ(t)
	for i := range 3 {
		l.deadLetter(t, fmt.Sprintf("dlv_%d", i), "wh_fixed")
	}
	proxy, stalled := stallingSQS(t, l.endpoint, stall)
	db, table := l.withTable(t, proxy)
	storeWebhook(t, db, table, "wh_fixed", true, "")
	ops := dlq.New(l.q, l.dlqURL, nil, nil)
	ops.Locks, ops.LockWait = dynamo.NewLocks(db, table), 0
	return interruptedDLQ{localDLQ: l, stalled: stalled, ops: ops}
}

// await waits for the proxy to hold a request of action from p.
func (d interruptedDLQ) await(t *testing.T, p *mainProcess, action string) {
	t.Helper()
	select {
	case got := <-d.stalled:
		if got != action {
			t.Fatalf("stalled %s, want %s", got, action)
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		stdout, stderr, _ := p.wait(t)
		t.Fatalf("no %s within 30 s; stdout %q, stderr %q", action, stdout, stderr)
	}
}

// visible lists the DLQ at once: ErrBusy if the scan lock is still held,
// fewer letters if some are still hidden.
func (d interruptedDLQ) visible(t *testing.T) int {
	t.Helper()
	page, err := d.ops.List(context.Background(), dlq.Filter{}, dlq.MaxPageLimit, "")
	if err != nil {
		t.Fatalf("listing right after the interrupted command: %v", err)
	}
	return len(page.Entries)
}

// waitInterrupted waits for p, killing it if it outlives the interrupt by
// 30 s (code -1 then).
func waitInterrupted(t *testing.T, p *mainProcess) (stdout, stderr string, code int) {
	t.Helper()
	timer := time.AfterFunc(30*time.Second, func() { _ = p.cmd.Process.Kill() })
	defer timer.Stop()
	return p.wait(t)
}

func interrupt(t *testing.T, p *mainProcess) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
}

// Ctrl-C stops a scan as a cancel does: the messages it peeked are visible
// again and the lock is free at once, not after ScanLockTTL.
func TestDLQListInterruptedFreesTheLockAndTheLetters(t *testing.T) {
	d := newInterruptedDLQ(t, func(action string, n int) bool { return action == "ReceiveMessage" && n == 2 })
	p := startMain(t, nil, "dlq", "ls")
	d.await(t, p, "ReceiveMessage") // the second receive: the lock is held, letters peeked
	interrupt(t, p)
	_, stderr, code := waitInterrupted(t, p)
	if code != exitInterrupted || stderr != "error: stopped by a signal: interrupt\n" {
		t.Fatalf("interrupted ls: exit %d, stderr %q", code, stderr)
	}
	if n := d.visible(t); n != 3 {
		t.Fatalf("%d of 3 dead letters visible after the interrupted ls", n)
	}
}

// An interrupted redrive says what it did, and hands back what it held.
// The send under way when it was stopped is given its 5 s to finish (it
// may have reached SQS); here it never answers, and is cut off then.
func TestDLQRedriveInterruptedPrintsWhatItDid(t *testing.T) {
	d := newInterruptedDLQ(t, func(action string, n int) bool { return action == "SendMessage" && n == 2 })
	p := startMain(t, nil, "dlq", "redrive", "--all")
	d.await(t, p, "SendMessage")
	interrupt(t, p)
	stdout, stderr, code := waitInterrupted(t, p)
	if code != exitInterrupted || !strings.Contains(stdout, "redriven 1 of 3 matching dead letters\n") || stderr != "error: stopped by a signal: interrupt\n" {
		t.Fatalf("interrupted redrive: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if n := d.visible(t); n != 2 {
		t.Fatalf("%d of the 2 dead letters not redriven visible after the interrupted redrive", n)
	}
	if depth, err := testenv.QueueDepth(context.Background(), testenv.SQSClient(t, d.endpoint), d.deliveryURL); err != nil || depth != 1 {
		t.Fatalf("delivery queue holds %d, want the 1 redriven (%v)", depth, err)
	}
}

// Stopped in its scan, a redrive says it sent nothing, as a purge says it
// purged none: silence read as "unknown" to whoever pressed Ctrl-C.
func TestDLQRedriveInterruptedInItsScanSaysNothingWasSent(t *testing.T) {
	d := newInterruptedDLQ(t, func(action string, n int) bool { return action == "ReceiveMessage" && n == 2 })
	p := startMain(t, nil, "dlq", "redrive", "--all")
	d.await(t, p, "ReceiveMessage")
	interrupt(t, p)
	stdout, stderr, code := waitInterrupted(t, p)
	if code != exitInterrupted || stdout != "redriven 0 dead letters: stopped before the DLQ scan ended, so nothing was sent\n" || stderr != "error: stopped by a signal: interrupt\n" {
		t.Fatalf("redrive interrupted in its scan: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if n := d.visible(t); n != 3 {
		t.Fatalf("%d of 3 dead letters visible after the interrupted redrive", n)
	}
	if depth, err := testenv.QueueDepth(context.Background(), testenv.SQSClient(t, d.endpoint), d.deliveryURL); err != nil || depth != 0 {
		t.Fatalf("delivery queue holds %d, want none (%v)", depth, err)
	}
}

// A second signal kills: here while the first one's cleanup is stalled.
func TestDLQSecondInterruptKills(t *testing.T) {
	d := newInterruptedDLQ(t, func(action string, n int) bool {
		return action == "ReceiveMessage" && n == 2 || action == "ChangeMessageVisibilityBatch"
	})
	p := startMain(t, nil, "dlq", "ls")
	d.await(t, p, "ReceiveMessage")
	interrupt(t, p)
	d.await(t, p, "ChangeMessageVisibilityBatch") // the release of what it peeked, ten a call
	interrupt(t, p)
	if _, stderr, code := waitInterrupted(t, p); code != -1 || p.cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Fatalf("second interrupt: exit %d, stderr %q; want killed by SIGINT", code, stderr)
	}
}

// listen, which watches for the signal itself, still stops cleanly on it.
func TestListenStopsOnInterrupt(t *testing.T) {
	p := startMain(t, []string{envListenSecret + "=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "listen", "--port", "0")
	testenv.WaitFor(t, 30*time.Second, "listen to start", func() bool { return strings.Contains(p.out.String(), "Listening on") })
	interrupt(t, p)
	if _, stderr, code := waitInterrupted(t, p); code != 0 || stderr != "" {
		t.Fatalf("interrupted listen: exit %d, stderr %q", code, stderr)
	}
}
