package dlq

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A scan that crashed (killed, a hard Ctrl-C) leaves the lock held until
// its stored end: the others, kept out, say when that is, so an operator
// can tell how long to wait. The error is still ErrBusy, which the admin
// API answers as dlq_busy, with the same words.
func TestBusySaysWhenTheLockEndsByItself(t *testing.T) {
	f := newFixture(t, 3)
	ops, locks := f.lockedOps(t)
	ops.LockWait = 300 * time.Millisecond
	ctx := context.Background()
	if tok, err := locks.Acquire(ctx, scanLockName, ScanLockTTL); err != nil || tok == "" { // never released
		t.Fatalf("acquire: %q, %v", tok, err)
	}
	end, err := locks.End(ctx, scanLockName)
	if err != nil || end.IsZero() {
		t.Fatalf("the held lock's end: %v, %v", end, err)
	}
	_, err = ops.List(ctx, Filter{}, 100, "")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("list beside a crashed scan's lock: %v, want ErrBusy", err)
	}
	want := regexp.MustCompile(`held until ` + regexp.QuoteMeta(end.Format("15:04:05")) + ` UTC \(about (2\d|30|31) s\).*a scan that crashed holds it until then`)
	if !want.MatchString(err.Error()) {
		t.Fatalf("busy: %q, want it to match %s", err, want)
	}
	status, body := call(t, NewAdminHandler(ops), "GET", "/api/v1/admin/dlq", "")
	msg, _ := body["error"].(map[string]any)["message"].(string)
	if status != 409 || errorCode(body) != "dlq_busy" || !want.MatchString(msg) {
		t.Fatalf("admin list: %d %v", status, body)
	}
}

// Without a readable end (the lock was freed meanwhile), the plain ErrBusy.
func TestBusyWithoutAnEndIsPlain(t *testing.T) {
	f := newFixture(t, 0)
	ops, _ := f.lockedOps(t)
	if err := ops.busy(context.Background()); err != ErrBusy {
		t.Fatalf("busy with the lock free: %v, want ErrBusy itself", err)
	}
}

func TestRoughly(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "1 s", 0: "1 s", 24*time.Second + time.Millisecond: "25 s", 30 * time.Second: "30 s",
		119 * time.Second: "119 s", 120 * time.Second: "2 min", 121 * time.Second: "3 min",
	} {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%s) = %q, want %q", d, got, want)
		}
	}
	if !strings.Contains(busyError{end: time.Date(2026, 1, 2, 12, 34, 56, 0, time.UTC), left: 25 * time.Second}.Error(), "held until 12:34:56 UTC (about 25 s)") {
		t.Fatal("busyError does not say when the lock ends")
	}
}
