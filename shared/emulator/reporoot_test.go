package emulator

import (
	"os"
	"path/filepath"
	"testing"
)

// From inside a nested module (the repository has tools/* and
// node_modules ones) RepoRoot still finds the repository's own go.mod,
// so the CLI uses make dev's data folder rather than a new one.
func TestRepoRootPassesOverNestedModules(t *testing.T) {
	root := t.TempDir()
	nested := filepath.Join(root, "tools", "helper")
	if err := os.MkdirAll(nested, 0o700); err != nil {
		t.Fatal(err)
	}
	for dir, module := range map[string]string{root: ModulePath, nested: "example.com/helper"} {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+module+"\n\ngo 1.26\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(nested)
	got, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks(root); got != root && got != want {
		t.Fatalf("RepoRoot from %s: %s, want %s", nested, got, root)
	}
}
