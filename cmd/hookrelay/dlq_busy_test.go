package main

import (
	"context"
	"regexp"
	"testing"
	"time"
)

// A `dlq` command killed mid-scan (kill -9, a second Ctrl-C) leaves the
// scan lock to end by itself, as long as the messages it hid stay hidden.
// The next command, kept out, says when that is instead of only "try
// again shortly", and fails.
func TestDLQBusyBesideACrashedScanSaysWhenItsLockEnds(t *testing.T) {
	d := newInterruptedDLQ(t, func(string, int) bool { return false })
	// The crashed scan's lock: held past the CLI's 20 s wait, however slow
	// the machine.
	if tok, err := d.ops.Locks.Acquire(context.Background(), "dlq-scan", 2*time.Minute); err != nil || tok == "" {
		t.Fatalf("acquire: %q, %v", tok, err)
	}
	end, err := d.ops.Locks.End(context.Background(), "dlq-scan")
	if err != nil || end.IsZero() {
		t.Fatalf("the lock's end: %v, %v", end, err)
	}
	_, stderr, code := startMain(t, nil, "dlq", "ls").wait(t)
	want := regexp.MustCompile(`^error: another scan of the DLQ is running: its lock is held until ` + regexp.QuoteMeta(end.Format("15:04:05")) +
		` UTC \(about \d+ s\), longer if that scan runs on; a scan that crashed holds it until then\n$`)
	if code != 1 || !want.MatchString(stderr) {
		t.Fatalf("ls beside a crashed scan: exit %d, stderr %q; want 1 and a match of %s", code, stderr, want)
	}
}
