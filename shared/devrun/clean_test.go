package devrun

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCleanRefusesWhileAStackRuns: make clean under a running make dev
// would take its data and state file away; Clean refuses, names the
// stack's pid and removes nothing, and removes the folder once it stops.
func TestCleanRefusesWhileAStackRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".hookrelay")
	if err := os.MkdirAll(filepath.Join(dir, "dynalite"), 0o700); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "dev-jwt.key")
	if err := os.WriteFile(key, []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := acquireLock(dir) // what a running hookrelay dev holds
	if err != nil {
		t.Fatal(err)
	}
	err = Clean(dir)
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) ||
		!strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("Clean under a running stack: %v, want ErrAlreadyRunning naming pid %d", err, os.Getpid())
	}
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("a refused Clean removed the stack's files: %v", err)
	}
	held.release()
	if err := Clean(dir); err != nil {
		t.Fatalf("Clean after the stack stopped: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the data folder is still there: %v", err)
	}
	if err := Clean(dir); err != nil {
		t.Fatalf("Clean without a data folder: %v", err)
	}
}
