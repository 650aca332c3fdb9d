package devrun

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hookrelay/hookrelay/shared/devstate"
)

// A state file counts only while a dev holds the folder's lock: the one
// a killed dev left behind is not a running stack.
func TestRunningNeedsTheDevLockHeld(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(devstate.EnvDataDir, dir)
	if err := devstate.Write(dir, devstate.State{PID: 1, HeaderPrefix: "Aigeon"}); err != nil {
		t.Fatal(err)
	}
	if s, _, err := Running(); !errors.Is(err, devstate.ErrNotRunning) {
		t.Fatalf("a state file without its lock file: %+v, %v; want ErrNotRunning", s, err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the probe created %s: %v", LockFile, err)
	}

	held, err := acquireLock(dir) // what a running hookrelay dev holds
	if err != nil {
		t.Fatal(err)
	}
	if s, _, err := Running(); err != nil || s.HeaderPrefix != "Aigeon" {
		t.Fatalf("with the lock held: %+v, %v; want the state file's", s, err)
	}
	if s, _, err := Running(); err != nil || s.HeaderPrefix != "Aigeon" {
		t.Fatalf("a second probe: %+v, %v; the first must not have taken the lock", s, err)
	}
	held.release()

	// The dev stopped (the lock file stays) but its state file did not go.
	if s, _, err := Running(); !errors.Is(err, devstate.ErrNotRunning) {
		t.Fatalf("after the dev released its lock: %+v, %v; want ErrNotRunning", s, err)
	}
	again, err := acquireLock(dir)
	if err != nil {
		t.Fatalf("the probe left the lock held: %v", err)
	}
	again.release()
}
