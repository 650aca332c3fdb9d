package emulator

import (
	"context"
	"errors"
	"net"
	"testing"
)

// A port another process binds between FreePort and the emulator's own
// bind makes the emulator exit. The start must say so (and StartGoaws then
// tries another port), not take the other process's listener for its own:
// the tests that got such an emulator found nothing at its port later.
func TestAnEmulatorWhosePortWasTakenFailsToStart(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	bin, err := GoawsPath()
	if err != nil {
		t.Fatal(err)
	}
	p, err := launchGoaws(context.Background(), Options{DataDir: t.TempDir()}, bin, taken.Addr().(*net.TCPAddr).Port)
	if err == nil {
		p.Stop()
		t.Fatal("goaws started on a port another listener holds")
	}
	if !errors.Is(err, errExitedEarly) {
		t.Fatalf("err = %v, want %v", err, errExitedEarly)
	}
}
