package listener

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// Listen binds 127.0.0.1:port only: the receiver exists for local
// deliveries, and nothing else should be able to feed it events.
func Listen(port int) (net.Listener, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("port %s is already in use: pick another with --port", addr)
	}
	return ln, err
}
