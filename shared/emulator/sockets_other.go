//go:build !linux

package emulator

import (
	"errors"
	"net/netip"
)

// ListeningAddrs needs Linux's /proc. Elsewhere the emulators' own
// loopback-only flags are what holds, unaudited.
func ListeningAddrs(pgid int) ([]netip.AddrPort, error) { return nil, errors.ErrUnsupported }

// ProcessListeningAddrs needs Linux's /proc too.
func ProcessListeningAddrs(pid int) ([]netip.AddrPort, error) { return nil, errors.ErrUnsupported }
