//go:build !unix

package emulator

import (
	"os"
	"os/exec"
)

// Without Unix process groups only the emulator process itself is signalled.
func ownProcessGroup(*exec.Cmd) {}
func terminate(p *os.Process)   { _ = p.Kill() }
func kill(p *os.Process)        { _ = p.Kill() }
