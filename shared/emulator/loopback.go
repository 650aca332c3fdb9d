package emulator

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrNotLoopback marks an emulator that listens beyond loopback. The
// emulators have no authentication: reachable from another address, they
// would let anyone read the dev queues or inject forged deliveries.
var ErrNotLoopback = errors.New("listens beyond loopback")

// requireLoopbackOnly audits every listening socket of a started emulator
// (its whole process group, so helpers it spawns count too). Every
// emulator starts through here, so a new one (local-kms, ...) is held to
// the same rule without code of its own.
func requireLoopbackOnly(p *Process) error {
	addrs, err := ListeningAddrs(p.cmd.Process.Pid)
	if errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: audit listening sockets: %w", p.Name, err)
	}
	return loopbackOnly(p.Name, addrs)
}

func loopbackOnly(name string, addrs []netip.AddrPort) error {
	for _, a := range addrs {
		if !a.Addr().Unmap().IsLoopback() {
			return fmt.Errorf("%s %w: it listens on %s (an old build? `make runtools` rebuilds the emulators)", name, ErrNotLoopback, a)
		}
	}
	return nil
}
