package devsecrets_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devsecrets"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
)

// openLocal opens the store in dir ("": in memory only).
func openLocal(t *testing.T, dir string) *devsecrets.Local {
	t.Helper()
	s, err := devsecrets.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLocalInMemoryContract(t *testing.T) {
	s := openLocal(t, "")
	secretstest.Contract(t, s)
}

func TestLocalOnDiskContract(t *testing.T) {
	s := openLocal(t, t.TempDir())
	secretstest.Contract(t, s)
}

func TestLocalPersistsAcrossRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "data") // created on demand
	first, second := secretstest.Generate(t), secretstest.Generate(t)

	s := openLocal(t, dir)
	if err := s.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(second, time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "org_a", "wh_gone", first); err != nil {
		t.Fatal(err)
	}
	if err := s.ScheduleDeletion(ctx, "org_a", "wh_gone"); err != nil {
		t.Fatal(err)
	}

	reopened := openLocal(t, dir)
	secretstest.AssertActive(t, reopened, "org_a", "wh_1", time.Now(), second, first)
	// The grace deadline survives the restart too.
	secretstest.AssertActive(t, reopened, "org_a", "wh_1", time.Now().Add(time.Hour+time.Minute), second)
	if _, err := secretstest.Active(ctx, reopened, "org_a", "wh_gone", time.Now()); err == nil {
		t.Fatal("deleted secret came back after restart")
	}

	info, err := os.Stat(filepath.Join(dir, devsecrets.LocalFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("secrets file mode = %o, want 600", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only %s (temp files left behind?)", len(entries), devsecrets.LocalFile)
	}
}

func TestLocalCorruptFileErrorHidesContent(t *testing.T) {
	dir := t.TempDir()
	secret := secretstest.Generate(t)
	// Truncated JSON whose bytes include a secret value.
	if err := os.WriteFile(filepath.Join(dir, devsecrets.LocalFile), []byte(`{"org_a/wh_1":{"current":"`+secret+`"`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := devsecrets.NewLocal(dir)
	if err == nil {
		t.Fatal("NewLocal accepted a corrupt file")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("error message contains the secret value")
	}
}

func TestLocalWriteFailureKeepsMemoryAndDiskInSync(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openLocal(t, dir)
	// Point the store at a directory that no longer exists, so the temp
	// file cannot be created whoever runs the test.
	s.SetPath(filepath.Join(dir, "missing", devsecrets.LocalFile))
	if err := s.Create(ctx, "org_a", "wh_1", secretstest.Generate(t)); err == nil {
		t.Fatal("Create reported success although nothing was written")
	}
	if _, err := secretstest.Active(ctx, s, "org_a", "wh_1", time.Now()); err == nil {
		t.Fatal("a secret that failed to persist is still served")
	}
}

func TestLocalConcurrentCreates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openLocal(t, dir)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Create(ctx, "org_a", "wh_"+string(rune('a'+i)), secretstest.Generate(t)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	reopened := openLocal(t, dir)
	for i := range n {
		if _, err := secretstest.Active(ctx, reopened, "org_a", "wh_"+string(rune('a'+i)), time.Now()); err != nil {
			t.Fatalf("webhook %d lost: %v", i, err)
		}
	}
}
