package devrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// A dev started on a data folder with the other secret store would serve
// webhooks that have no secrets under it: Start refuses, before any
// emulator runs, and says how to go on.
func TestStartRefusesTheOtherSecretStore(t *testing.T) {
	dir := t.TempDir()
	s, err := tryStart(t, dir, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	s.Stop()
	for _, name := range []string{"goaws.log", "kms"} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = Start(ctx, Options{DataDir: dir, Addr: "127.0.0.1:0", Env: map[string]string{config.EnvSecretStore: config.SecretStoreEnvelope}})
	want := "keep their signing secrets in the " + config.SecretStoreSecretsManager + " store"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "make clean") {
		t.Fatalf("envelope on a secretsmanager folder: %v; want %q and a way on", err, want)
	}
	for _, name := range []string{"goaws.log", "kms"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the refused start ran its emulators (%s: %v)", name, err)
		}
	}
	if _, err := devstate.Read(dir); !errors.Is(err, devstate.ErrNotRunning) {
		t.Errorf("the refused start wrote a state file: %v", err)
	}
	lk, err := acquireLock(dir)
	if err != nil {
		t.Fatalf("lock held after the refused start: %v", err)
	}
	lk.release()
}

// The refusal names the choice the user made: the flag they typed, or the
// default when they chose nothing, not a variable they never set.
func TestStoreRefusalNamesWhereTheStoreCameFrom(t *testing.T) {
	t.Setenv(config.EnvSecretStore, "")
	sm, env := config.SecretStoreSecretsManager, config.SecretStoreEnvelope
	for _, c := range []struct {
		name      string
		used      string
		o         Options
		want, not string
	}{
		{"flag", sm, Options{Env: map[string]string{config.EnvSecretStore: env}, SecretStoreFlag: true},
			"--secret-store envelope, but", config.EnvSecretStore},
		{"variable", sm, Options{Env: map[string]string{config.EnvSecretStore: env}},
			config.EnvSecretStore + "=envelope, but", "--secret-store"},
		{"default", env, Options{},
			"the default secret store (secretsmanager), but", config.EnvSecretStore + "=secretsmanager, but"},
	} {
		dir := t.TempDir()
		if err := markSecretStore(dir, c.used); err != nil {
			t.Fatal(err)
		}
		c.o.DataDir, c.o.Addr = dir, "127.0.0.1:0"
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		s, err := Start(ctx, c.o)
		cancel()
		if err == nil {
			s.Stop()
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), c.not) {
			t.Errorf("%s: %v; want it to start with %q and not name %q", c.name, err, c.want, c.not)
		}
	}
}

// A folder from before the mark tells its store by its files; one with
// both stores' files, or neither, is not refused.
func TestSecretStoreOfAnUnmarkedFolder(t *testing.T) {
	sm, env := config.SecretStoreSecretsManager, config.SecretStoreEnvelope
	for _, c := range []struct {
		name       string
		files      []string
		refuse     string // the store refused
		allowedToo string
	}{
		{"secrets file", []string{"secrets/secrets.json"}, env, sm},
		{"kms keys", []string{"kms/"}, sm, env},
		{"both", []string{"secrets/secrets.json", "kms/"}, "", ""},
		{"neither", nil, "", ""},
	} {
		dir := t.TempDir()
		for _, f := range c.files {
			p := filepath.Join(dir, f)
			if strings.HasSuffix(f, "/") {
				p = filepath.Join(dir, f, "key.yaml")
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		for _, store := range []string{sm, env} {
			err := checkSecretStore(dir, chosenStore{store: store})
			if refused := err != nil; refused != (store == c.refuse) {
				t.Errorf("%s: %s: %v; want refused=%v", c.name, store, err, store == c.refuse)
			}
		}
		if c.allowedToo == "" {
			continue
		}
		// The mark, once written, decides over the files.
		if err := markSecretStore(dir, c.refuse); err != nil {
			t.Fatal(err)
		}
		if err := checkSecretStore(dir, chosenStore{store: c.refuse}); err != nil {
			t.Errorf("%s marked %s: %v", c.name, c.refuse, err)
		}
		if err := checkSecretStore(dir, chosenStore{store: c.allowedToo}); err == nil {
			t.Errorf("%s marked %s: %s was not refused", c.name, c.refuse, c.allowedToo)
		}
	}
}
