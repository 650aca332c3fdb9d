//go:build unix

package emulator

import (
	"os"
	"syscall"
)

// The emulator runs in its own process group (ownProcessGroup): signalling
// the whole group means nothing it spawned outlives it.

func terminate(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGTERM) }
func kill(p *os.Process)      { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
