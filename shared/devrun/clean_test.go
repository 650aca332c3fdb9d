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
	if err := os.MkdirAll(filepath.Join(dir, "dynamodb"), 0o700); err != nil {
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
	_, err = Clean(dir)
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) ||
		!strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("Clean under a running stack: %v, want ErrAlreadyRunning naming pid %d", err, os.Getpid())
	}
	if _, err := os.Stat(key); err != nil {
		t.Fatalf("a refused Clean removed the stack's files: %v", err)
	}
	held.release()
	if done, err := Clean(dir); err != nil || !done.Existed || len(done.Kept) != 0 {
		t.Fatalf("Clean after the stack stopped: %+v, %v", done, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the data folder is still there: %v", err)
	}
	if done, err := Clean(dir); err != nil || done.Existed {
		t.Fatalf("Clean without a data folder: %+v, %v", done, err)
	}
}

// TestCleanKeepsWhatDevDidNotMake: HOOKRELAY_DATA_DIR may name a folder
// of the user's (a project, the checkout itself); Clean removes only dev's
// files from it, names what it kept, and leaves the folder.
func TestCleanKeepsWhatDevDidNotMake(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "src", "notes.txt")
	for _, f := range []string{mine, filepath.Join(dir, "README"), filepath.Join(dir, "dev-jwt.key"), filepath.Join(dir, "dynamodb", "CURRENT"), filepath.Join(dir, "kms.log")} {
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	done, err := Clean(dir)
	if err != nil || !done.Existed || strings.Join(done.Kept, ",") != "README,src" {
		t.Fatalf("Clean of a folder with the user's files: %+v, %v; want README and src kept", done, err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("the user's file is gone: %v", err)
	}
	for _, gone := range []string{"dev-jwt.key", "dynamodb", "kms.log", LockFile} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("dev's %s is still there: %v", gone, err)
		}
	}
}
