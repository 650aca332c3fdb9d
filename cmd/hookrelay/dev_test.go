package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
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

// The banner's commands reach the make dev it describes from another
// terminal: on a folder other than the default, they set it, as bare they
// would read the default folder's key and state.
func TestBannerCommandsNameANonDefaultDataFolder(t *testing.T) {
	t.Setenv(devstate.EnvDataDir, "")
	t.Setenv(devauth.EnvDevKeyFile, "")
	def, err := devstate.DataDir()
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "dev data")
	for dir, env := range map[string]string{def: "", other: "HOOKRELAY_DATA_DIR='" + other + "' "} {
		var b strings.Builder
		printBanner(&b, &devrun.Stack{API: "http://127.0.0.1:8080", DataDir: dir, Config: config.Defaults()})
		for _, want := range []string{
			"token      " + env + "go run ./cmd/hookrelay token --org org_a\n",
			"receiver   " + env + "HOOKRELAY_LISTEN_SECRET=whsec_... go run ./cmd/hookrelay listen --port 9000\n",
		} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("banner for %s:\n%s\nwant the line %q", dir, b.String(), want)
			}
		}
	}
}
