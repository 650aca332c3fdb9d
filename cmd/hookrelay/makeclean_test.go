package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// make clean's hint (rm -rf .hookrelay) is for a CLI that does not build;
// after the CLI refused a folder holding a user's file it would delete
// that file. The Makefile runs in a scratch folder with a
// stand-in `go` that yields this package's CLI, or fails to build.
func TestMakeCleanHintsRmOnlyWhenTheCLIDoesNotBuild(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not installed")
	}
	makefile, err := filepath.Abs("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(t.TempDir(), "hookrelay")
	if out, err := exec.Command("go", "build", "-o", cli, ".").CombinedOutput(); err != nil {
		t.Fatalf("build the CLI: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name, fakeGo string
		want, not    []string
	}{
		{"refused", `mkdir -p "$(dirname "$3")" && cp "$CLI" "$3"`, []string{"is not only make dev's data", "my-notes.txt"}, []string{"rm -rf .hookrelay", "stop make dev"}},
		{"no CLI", `echo "cmd/hookrelay: syntax error" >&2; exit 1`, []string{"the CLI does not build", "rm -rf .hookrelay"}, nil},
	} {
		dir := t.TempDir()
		data := filepath.Join(dir, ".hookrelay")
		if err := os.Mkdir(data, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"dev-jwt.key", "my-notes.txt"} {
			if err := os.WriteFile(filepath.Join(data, f), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fake := filepath.Join(t.TempDir(), "go")
		if err := os.WriteFile(fake, []byte("#!/bin/sh\n"+c.fakeGo+"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("make", "--no-print-directory", "-f", makefile, "-C", dir, "clean")
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(fake)+":"+os.Getenv("PATH"), "CLI="+cli)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("%s: make clean succeeded:\n%s", c.name, out)
		}
		for _, w := range c.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, out)
			}
		}
		for _, n := range c.not {
			if strings.Contains(string(out), n) {
				t.Errorf("%s: output says %q:\n%s", c.name, n, out)
			}
		}
		if _, err := os.Stat(filepath.Join(data, "my-notes.txt")); err != nil {
			t.Errorf("%s: the user's file: %v", c.name, err)
		}
	}
}
