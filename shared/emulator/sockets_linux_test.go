package emulator

import (
	"net/netip"
	"strings"
	"testing"
)

// Lines as the kernel prints them: a listener on 0.0.0.0:8080, one on
// 127.0.0.1:4100, an established connection (not a listener), and in tcp6
// a listener on [::]:9000 and one on [::1]:9001.
const (
	procTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1004 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1004 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0000000000000000 20 4 30 10 -1
`
	procTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 444 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:2329 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 555 1 0000000000000000 100 0 0 10 0
`
)

func TestParseListenersReadsTheKernelTables(t *testing.T) {
	want := map[string]string{"111": "0.0.0.0:8080", "222": "127.0.0.1:4100", "444": "[::]:9000", "555": "[::1]:9001"}
	got := map[string]string{}
	for _, table := range []string{procTCP, procTCP6} {
		listening, err := parseListeners(strings.NewReader(table))
		if err != nil {
			t.Fatal(err)
		}
		for inode, a := range listening {
			got[inode] = a.String()
		}
	}
	if len(got) != len(want) {
		t.Fatalf("listeners = %v, want %v", got, want)
	}
	for inode, a := range want {
		if got[inode] != a {
			t.Errorf("inode %s = %q, want %q", inode, got[inode], a)
		}
	}
}

func TestLoopbackOnlyRefusesAnyOtherAddress(t *testing.T) {
	for _, a := range []string{"0.0.0.0:4100", "[::]:4100", "192.0.2.1:4100", "[::ffff:0.0.0.0]:4100"} {
		addrs := []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:4100"), netip.MustParseAddrPort(a)}
		if err := loopbackOnly("goaws", addrs); err == nil || !strings.Contains(err.Error(), a) {
			t.Errorf("listening on %s: err = %v, want it refused and named", a, err)
		}
	}
	ok := []netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("[::1]:2"), netip.MustParseAddrPort("[::ffff:127.0.0.1]:3")}
	if err := loopbackOnly("goaws", ok); err != nil {
		t.Errorf("loopback listeners refused: %v", err)
	}
}
