package emulator

import (
	"context"
	"net/netip"
	"testing"
)

// TestEmulatorsListenOnLoopbackOnly reads the kernel's socket tables for
// each emulator's process group: it must listen on its port and nowhere
// but loopback (upstream goaws binds 0.0.0.0, unauthenticated).
func TestEmulatorsListenOnLoopbackOnly(t *testing.T) {
	for name, start := range map[string]func(context.Context, Options) (*Process, error){
		"dynalite": StartDynalite,
		"goaws":    StartGoaws,
		"kms":      StartKMS,
	} {
		t.Run(name, func(t *testing.T) {
			p, err := start(context.Background(), Options{DataDir: t.TempDir()})
			if err != nil {
				t.Fatalf("start %s: %v", name, err)
			}
			defer p.Stop()
			addrs, err := ListeningAddrs(p.cmd.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			onPort := false
			for _, a := range addrs {
				if !a.Addr().Unmap().IsLoopback() {
					t.Errorf("%s listens on %s", name, a)
				}
				onPort = onPort || a == netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(p.Port))
			}
			if !onPort {
				t.Errorf("%s: no listener on 127.0.0.1:%d among %v (the audit sees nothing?)", name, p.Port, addrs)
			}
		})
	}
}
