package emulator

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tcpListen is the state column of a listening socket in /proc/net/tcp*.
const tcpListen = "0A"

// ListeningAddrs lists the TCP addresses on which the processes of process
// group pgid listen. It reads /proc only (the sockets each process holds,
// then the kernel's socket tables), so checking sends no traffic at all.
func ListeningAddrs(pgid int) ([]netip.AddrPort, error) {
	return listeningAddrs(func(proc string) bool {
		g, err := processGroup(proc)
		return err == nil && g == pgid // else gone meanwhile, or another group
	})
}

// ProcessListeningAddrs lists the TCP addresses on which process pid
// itself listens: unlike a dial, it cannot mistake another process that
// took a freed port for pid. Only tests use it (devrun's checks that the
// dev API listens, and stops listening after Stop).
func ProcessListeningAddrs(pid int) ([]netip.AddrPort, error) {
	self := "/proc/" + strconv.Itoa(pid)
	return listeningAddrs(func(proc string) bool { return proc == self })
}

// listeningAddrs lists the addresses on which the processes that pick
// chooses (by /proc/PID path) listen.
func listeningAddrs(pick func(proc string) bool) ([]netip.AddrPort, error) {
	inodes, err := socketInodes(pick)
	if err != nil {
		return nil, err
	}
	var out []netip.AddrPort
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			return nil, err
		}
		listening, err := parseListeners(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		for inode, addr := range listening {
			if inodes[inode] {
				out = append(out, addr)
			}
		}
	}
	return out, nil
}

// socketInodes returns the inodes of the sockets open in any process pick
// chooses ("socket:[inode]" links under /proc/PID/fd).
func socketInodes(pick func(proc string) bool) (map[string]bool, error) {
	procs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, err
	}
	inodes := map[string]bool{}
	for _, proc := range procs {
		if !pick(proc) {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join(proc, "fd"))
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(proc, "fd", fd.Name()))
			if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
				inodes[strings.TrimSuffix(inode, "]")] = true
			}
		}
	}
	return inodes, nil
}

// processGroup reads the pgrp field of /proc/PID/stat (the fifth; the
// command name before it is parenthesised and may hold spaces).
func processGroup(proc string) (int, error) {
	b, err := os.ReadFile(filepath.Join(proc, "stat"))
	if err != nil {
		return 0, err
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 3 {
		return 0, fmt.Errorf("%s/stat: unexpected format", proc)
	}
	return strconv.Atoi(fields[2])
}

// parseListeners reads a /proc/net/tcp or tcp6 table into listening
// address by socket inode.
func parseListeners(r io.Reader) (map[string]netip.AddrPort, error) {
	out := map[string]netip.AddrPort{}
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		addr, err := parseProcAddr(f[1])
		if err != nil {
			return nil, err
		}
		out[f[9]] = addr
	}
	return out, sc.Err()
}

// parseProcAddr decodes "0100007F:1F90": the address is printed as 32-bit
// words holding the network-order bytes in host byte order, the port as a
// plain hex number.
func parseProcAddr(s string) (netip.AddrPort, error) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	raw, err := hex.DecodeString(hexIP)
	if !ok || err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port in %q", s)
	}
	for w := 0; w < len(raw); w += 4 {
		binary.NativeEndian.PutUint32(raw[w:], binary.BigEndian.Uint32(raw[w:]))
	}
	ip, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(ip, uint16(port)), nil
}
