package devrun

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/emulator"
)

// childListeners maps the process group of each child of this test
// process (the stack's emulators, each in its own group) to the
// addresses it listens on.
func childListeners(t *testing.T) map[int][]netip.AddrPort {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][]netip.AddrPort{}
	for _, proc := range procs {
		b, err := os.ReadFile(filepath.Join(proc, "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// After the parenthesised command: state, ppid, pgrp, ...
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 3 || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		pgid, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatalf("%s/stat: %v", proc, err)
		}
		addrs, err := emulator.ListeningAddrs(pgid)
		if err != nil {
			t.Fatal(err)
		}
		out[pgid] = addrs
	}
	return out
}

// listensOn reports whether any of addrs has port p.
func listensOn(addrs []netip.AddrPort, p int) bool {
	for _, a := range addrs {
		if int(a.Port()) == p {
			return true
		}
	}
	return false
}
