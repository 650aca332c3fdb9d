package devstate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReadRemove(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("empty dir: %v", err)
	}
	want := State{PID: 42, API: "http://127.0.0.1:8080", DLQURL: "http://127.0.0.1:1/q/dlq"}
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil || got != want {
		t.Fatalf("read %+v %v", got, err)
	}
	Remove(dir)
	if _, err := Read(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after remove: %v", err)
	}
}

// Outside the repository, with no HOOKRELAY_DATA_DIR, the commands that
// find `make dev` through its data folder say where they looked and
// what to do, not only that a go.mod is missing.
func TestDataDirOutsideTheRepositorySaysWhatToDo(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	dir := t.TempDir()
	t.Chdir(dir)
	_, err := DataDir()
	if err == nil {
		t.Fatal("no error outside the repository")
	}
	for _, want := range []string{dir, "hookrelay repository", EnvDataDir} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// HOOKRELAY_DATA_DIR blank means unset (the repository's .hookrelay), as
// for every HOOKRELAY_* variable; a relative one is made absolute.
func TestDataDirTrimsAndMakesAbsolute(t *testing.T) {
	t.Setenv(EnvDataDir, "  ")
	if got, err := DataDir(); err != nil || filepath.Base(got) != ".hookrelay" || !filepath.IsAbs(got) {
		t.Fatalf("blank %s: %q, %v; want the repository's .hookrelay", EnvDataDir, got, err)
	}
	t.Setenv(EnvDataDir, " state ")
	wd, _ := os.Getwd()
	if got, err := DataDir(); err != nil || got != filepath.Join(wd, "state") {
		t.Fatalf("relative %s: %q, %v; want %s", EnvDataDir, got, err, filepath.Join(wd, "state"))
	}
}

// A make dev started with HOOKRELAY_DATA_DIR runs on a folder the
// commands of another terminal do not read without it: not finding one,
// they name the folder they looked in.
func TestNotRunningNamesTheFolderLookedIn(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), EnvDataDir) {
		t.Fatalf("no state file in %s: %v; want ErrNotRunning naming the folder and %s", dir, err, EnvDataDir)
	}
}

// The prefix a command needs to reach the make dev on a folder: none for
// the default one, else the variable, quoted when the shell would split it.
func TestCommandEnv(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	def, err := DataDir()
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{
		def:            "",
		"":             "",
		"/tmp/d-1":     "HOOKRELAY_DATA_DIR=/tmp/d-1 ",
		"/tmp/my data": "HOOKRELAY_DATA_DIR='/tmp/my data' ",
		"/tmp/it's $x": `HOOKRELAY_DATA_DIR='/tmp/it'\''s $x' `,
	} {
		if got := CommandEnv(dir); got != want {
			t.Errorf("CommandEnv(%q) = %q, want %q", dir, got, want)
		}
	}
}
