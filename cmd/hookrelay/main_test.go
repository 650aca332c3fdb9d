package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/testenv"
)

// runMain runs the real main() in a child process (this test binary,
// re-executed as TestMainProcess), so the exit status and the output are
// the CLI's own. env is added to the test's environment.
func runMain(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return startMain(t, env, args...).wait(t)
}

// mainProcess is the CLI running in a child process.
type mainProcess struct {
	cmd         *exec.Cmd
	out, errOut testenv.Buffer // read while it runs, too
	waited      bool
}

// startMain starts the real main() as runMain does, without waiting for
// it; a process the test did not wait for is killed at its end.
func startMain(t *testing.T, env []string, args ...string) *mainProcess {
	t.Helper()
	p := &mainProcess{cmd: exec.Command(os.Args[0], append([]string{"-test.run=^TestMainProcess$", "--"}, args...)...)}
	p.cmd.Env = append(append(os.Environ(), "HOOKRELAY_TEST_MAIN=1"), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errOut
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !p.waited {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

// wait waits for the process to end: code is its exit status, -1 when a
// signal killed it.
func (p *mainProcess) wait(t *testing.T) (stdout, stderr string, code int) {
	t.Helper()
	err := p.cmd.Wait()
	p.waited = true
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return p.out.String(), p.errOut.String(), code
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
