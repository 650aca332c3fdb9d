//go:build unix && !linux

package emulator

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own. Only Linux can
// also stop it when this process dies; elsewhere Stop must be called.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
