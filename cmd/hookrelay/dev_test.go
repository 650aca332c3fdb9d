package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// The banner's hint for the envelope store must be something a user who
// started `make dev` can type: make refuses --secret-store as an option of
// its own, so the hint sets the environment variable dev reads.
func TestSecretStoreNoteNamesACommandMakeAccepts(t *testing.T) {
	note := secretStoreNote(config.SecretStoreSecretsManager)
	if !strings.Contains(note, "HOOKRELAY_SECRET_STORE=envelope make dev") {
		t.Errorf("default store's note %q does not say how to run make dev with the envelope store", note)
	}
	if strings.Contains(note, "--secret-store") {
		t.Errorf("default store's note %q suggests a flag make does not take", note)
	}
	if note := secretStoreNote(config.SecretStoreEnvelope); !strings.HasPrefix(note, "envelope:") {
		t.Errorf("envelope store's note %q does not name the store", note)
	}
}

// make clean runs `dev --clean` on the data folder: it goes, and the
// command says which (devrun's tests cover the refusal under a stack).
func TestDevCleanRemovesTheDataFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".hookrelay")
	if err := os.MkdirAll(filepath.Join(dir, "dynamodb"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Every dev start leaves its lock file: the folder is dev's.
	if err := os.WriteFile(filepath.Join(dir, devrun.LockFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runMain(t, []string{devstate.EnvDataDir + "=" + dir}, "dev", "--clean")
	if code != 0 || !strings.Contains(stdout, "removed "+dir) {
		t.Fatalf("dev --clean: exit %d, %q %q", code, stdout, stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is still there: %v", dir, err)
	}
}
