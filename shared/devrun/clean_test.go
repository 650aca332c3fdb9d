package devrun

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/emulator"
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
	if existed, err := Clean(dir); err != nil || !existed {
		t.Fatalf("Clean after the stack stopped: %v, %v", existed, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the data folder is still there: %v", err)
	}
	if existed, err := Clean(dir); err != nil || existed {
		t.Fatalf("Clean without a data folder: %v, %v", existed, err)
	}
}

// TestCleanRemovesNothingFromAUsersFolder: HOOKRELAY_DATA_DIR may name a
// folder of the user's (a project, the checkout itself), even one whose
// folders share dev's names (secrets/, kms/). Clean removes nothing from a
// folder holding anything dev did not create, or none of dev's marks,
// and names what it found.
func TestCleanRemovesNothingFromAUsersFolder(t *testing.T) {
	for name, files := range map[string][]string{
		"a project beside dev's files": {"src/notes.txt", "README", "dev-jwt.key", "dynamodb/CURRENT"},
		"a folder of secrets":          {"secrets/prod.env", "kms/key.pem"},
	} {
		dir := t.TempDir()
		for _, f := range files {
			write(t, filepath.Join(dir, f))
		}
		existed, err := Clean(dir)
		if !existed || !errors.Is(err, ErrNotDevData) || !strings.Contains(err.Error(), "nothing removed") {
			t.Errorf("%s: %v, %v; want ErrNotDevData", name, existed, err)
		}
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %s is gone: %v", name, f, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, LockFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: Clean left a lock file: %v", name, err)
		}
	}
}

// TestCleanRemovesNothingWhenAUserFileIsInADevFolder: the README promises
// Clean removes only what make dev creates; a user's file dropped into
// dev's own folders (dynamodb/, secrets/, ...) is not make dev's, and
// the folder stays whole with the file named.
func TestCleanRemovesNothingWhenAUserFileIsInADevFolder(t *testing.T) {
	devFiles := []string{LockFile, "dev-jwt.key", "dynamodb/CURRENT", "dynamodb/000003.log",
		"kms/MANIFEST-000000", "secrets/secrets.json", "goaws/goaws.yaml", "goaws.log"}
	for _, user := range []string{"dynamodb/my-thesis.docx", "secrets/prod.env", "goaws/notes.txt",
		"kms/backup/CURRENT", "dynamodb/000003.log.bak"} {
		dir := t.TempDir()
		for _, f := range append(devFiles, user) {
			write(t, filepath.Join(dir, f))
		}
		existed, err := Clean(dir)
		if !existed || !errors.Is(err, ErrNotDevData) || !strings.Contains(err.Error(), filepath.Dir(user)) {
			t.Errorf("%s: %v, %v; want ErrNotDevData naming it", user, existed, err)
		}
		for _, f := range append(devFiles, user) {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %s is gone: %v", user, f, err)
			}
		}
	}
}

// TestCleanRemovesWhatTheEmulatorsWrite: the check of dev's folders knows
// the emulators' own files; a stack's folder, after real use, goes.
func TestCleanRemovesWhatTheEmulatorsWrite(t *testing.T) {
	dir := t.TempDir()
	s := startStack(t, dir)
	token := devToken(t, dir, "org_clean")
	call(t, s.API, token, "POST", "/api/v1/organization/webhooks",
		`{"name":"c","url":"http://127.0.0.1:1/hook","event_types":["*"]}`, http.StatusCreated, nil)
	s.Stop()
	kms, err := emulator.StartKMS(context.Background(), emulator.Options{DataDir: filepath.Join(dir, "kms")})
	if err != nil {
		t.Fatal(err)
	}
	kms.Stop()
	for _, f := range []string{"dynamodb/CURRENT", "secrets/secrets.json", "goaws/goaws.yaml", "kms/CURRENT"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("the test's premise: %v", err)
		}
	}
	if existed, err := Clean(dir); err != nil || !existed {
		t.Fatalf("Clean of a used stack's folder: %v, %v", existed, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the data folder is still there: %v", err)
	}
}

func write(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
}
