package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEmulator is a process that has exited (done closed) or still runs.
type fakeEmulator struct {
	done    chan struct{}
	stopped bool
}

func (f *fakeEmulator) Done() <-chan struct{} { return f.done }
func (f *fakeEmulator) Stop()                 { f.stopped = true }

// logRecorder keeps what a helper logs instead of printing it.
type logRecorder struct {
	testing.TB
	logged []string
}

func (r *logRecorder) Logf(format string, args ...any) {
	r.logged = append(r.logged, fmt.Sprintf(format, args...))
}

func emulatorLog(t *testing.T, content string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "goaws.log"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	return f
}

// An emulator that died during the test is named with the reason its
// output gives, the runtime's fatal error first, not the log lines before.
func TestAnEmulatorThatDiedLogsWhy(t *testing.T) {
	before := strings.Repeat(`{"level":"warning","msg":"No messages in Queue:q"}`+"\n", 500)
	crash := "fatal error: concurrent map read and map write\n\ngoroutine 7 [running]:\ngosqs.CreateQueueV1(...)\n"
	f := emulatorLog(t, before+crash)
	p := &fakeEmulator{done: make(chan struct{})}
	close(p.done)
	rec := &logRecorder{TB: t}
	stopEmulator(rec, "goaws", p, f)
	if len(rec.logged) != 1 || !strings.Contains(rec.logged[0], "goaws exited during the test") ||
		!strings.HasSuffix(rec.logged[0], "its output ends:\n"+crash) {
		t.Fatalf("logged %q, want goaws named with its crash", rec.logged)
	}
	if !p.stopped {
		t.Fatal("the exited emulator was not stopped (reaped)")
	}
}

// An emulator still running at the end of the test is stopped quietly,
// and an exit without a Go crash shows the end of its output.
func TestEmulatorEndsShowWhatTheyHave(t *testing.T) {
	running := &fakeEmulator{done: make(chan struct{})}
	rec := &logRecorder{TB: t}
	stopEmulator(rec, "dynalite", running, emulatorLog(t, "Error: EADDRINUSE\n"))
	if len(rec.logged) != 0 || !running.stopped {
		t.Fatalf("a running emulator: logged %q, stopped %v; want stopped, nothing logged", rec.logged, running.stopped)
	}

	long := strings.Repeat("x", crashShown) + "\nlast words\n"
	if got := outputEnd(emulatorLog(t, long).Name()); len(got) != crashShown || !strings.HasSuffix(got, "last words\n") {
		t.Fatalf("output end of a long log: %d bytes ending %q, want the last %d", len(got), got[max(0, len(got)-20):], crashShown)
	}
	if got := outputEnd(emulatorLog(t, "").Name()); got != "(no output)" {
		t.Fatalf("output end of an empty log = %q", got)
	}
}
