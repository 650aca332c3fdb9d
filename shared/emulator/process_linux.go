package emulator

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own, and has the
// kernel stop it if this process dies without calling Stop (a test binary
// killed by its timeout), so no emulator is left running.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
