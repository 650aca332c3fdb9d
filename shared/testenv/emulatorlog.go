package testenv

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookrelay/hookrelay/shared/emulator"
)

// startEmulator starts an emulator for the test with its output in a file
// under the test's temp dir, and stops it when the test ends. An emulator
// that exits on its own during the test (goaws once aborted on a
// concurrent map write) otherwise shows only as "connection refused" in
// the calls after it; the cleanup then logs how its output ends, so the
// crash names itself.
func startEmulator(t testing.TB, name string, o emulator.Options, start func(context.Context, emulator.Options) (*emulator.Process, error)) *emulator.Process {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	o.Log = logFile
	p, err := start(context.Background(), o)
	if err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v; its output ends:\n%s", name, err, outputEnd(logPath))
	}
	t.Cleanup(func() { stopEmulator(t, name, p, logFile) })
	return p
}

// running is what stopEmulator needs of an emulator process.
type running interface {
	Done() <-chan struct{}
	Stop()
}

// stopEmulator stops p, first logging the end of its output if it has
// already exited: nothing but this cleanup stops a test's emulator.
func stopEmulator(t testing.TB, name string, p running, logFile *os.File) {
	select {
	case <-p.Done():
		t.Logf("%s exited during the test; its output ends:\n%s", name, outputEnd(logFile.Name()))
	default:
	}
	p.Stop()
	logFile.Close()
}

// crashShown is how much of an emulator's output a log shows.
const crashShown = 4 << 10

// outputEnd is the part of an emulator's output that says why it ended:
// from the last Go runtime "fatal error:" or "panic:" on (the reason, then
// the failing goroutine's stack), else the last lines, at most crashShown
// bytes either way.
func outputEnd(path string) string {
	out, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	start := max(bytes.LastIndex(out, []byte("fatal error:")), bytes.LastIndex(out, []byte("panic:")))
	if start < 0 {
		start = max(0, len(out)-crashShown)
	}
	out = out[start:min(len(out), start+crashShown)]
	if len(out) == 0 {
		return "(no output)"
	}
	return string(out)
}
