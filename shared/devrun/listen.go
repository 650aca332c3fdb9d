package devrun

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/hookrelay/hookrelay/shared/config"
)

// ErrPortInUse is returned (wrapped, naming the address) when the API
// address is taken.
var ErrPortInUse = errors.New("already in use")

// listenLoopback binds the API address before anything else starts, so a
// taken port fails fast and clearly instead of after the emulators came up.
// Dev mode trusts a dev-signed JWT and lets deliveries reach loopback, so
// it refuses to listen anywhere but on loopback.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", config.EnvAddr, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s=%q: hookrelay dev listens on loopback only (e.g. 127.0.0.1:8080)", config.EnvAddr, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("port %s is %w: stop what listens there, or set HOOKRELAY_ADDR to another address", addr, ErrPortInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", config.EnvAddr, addr, err)
	}
	return ln, nil
}
