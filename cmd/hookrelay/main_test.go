package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/spf13/cobra"
)

// runMain runs the real main() in a child process (this test binary,
// re-executed as TestMainProcess), so the exit status and the output are
// the CLI's own. env is added to the test's environment.
func runMain(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := exec.Command(os.Args[0], append([]string{"-test.run=^TestMainProcess$", "--"}, args...)...)
	c.Env = append(append(os.Environ(), "HOOKRELAY_TEST_MAIN=1"), env...)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// runCmd executes a command built afresh, in-process, and returns what it
// printed on stdout.
func runCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

// TestMainProcess is the child of runMain: with HOOKRELAY_TEST_MAIN set it
// becomes the CLI, arguments after "--".
func TestMainProcess(t *testing.T) {
	if os.Getenv("HOOKRELAY_TEST_MAIN") != "1" {
		return
	}
	for i, a := range os.Args {
		if a == "--" {
			os.Args = append([]string{"hookrelay"}, os.Args[i+1:]...)
			break
		}
	}
	main()
	os.Exit(0)
}
