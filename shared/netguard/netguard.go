// Package netguard is the HTTP client that POSTs to tenant endpoints. A
// tenant controls the URL, and with it the DNS answer, so the client checks
// the IP it is actually connecting to (net.Dialer.Control runs after
// resolution, for every address tried): a name that resolves to a public IP
// at validation time and to 169.254.169.254 at delivery time (DNS
// rebinding) is still refused.
package netguard

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrBlockedAddress marks a connection refused by the guard. Delivery
// treats it as permanent (reason blocked_address).
var ErrBlockedAddress = errors.New("blocked address")

// BlockedError says which address was refused; it matches ErrBlockedAddress.
type BlockedError struct{ Addr string }

func (e *BlockedError) Error() string { return fmt.Sprintf("%s: %s", ErrBlockedAddress, e.Addr) }

// Is makes errors.Is(err, ErrBlockedAddress) true.
func (e *BlockedError) Is(target error) bool { return target == ErrBlockedAddress }

// MaxResponseHeaderBytes bounds an endpoint's response header block (Go's
// default is 10 MB per response, and a batch POSTs ten at once in one small
// function). Delivery reads no response header but Retry-After, and no
// webhook receiver needs more than a few KB.
const MaxResponseHeaderBytes = 64 << 10

// HeadersTooLarge reports whether err is the client refusing a response
// whose header block exceeds MaxResponseHeaderBytes. net/http has no error
// value for it, over HTTP/1 or HTTP/2, only these texts.
func HeadersTooLarge(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "server response headers exceeded") ||
		strings.Contains(s, "response header list larger than advertised limit")
}

// Options configure the client.
type Options struct {
	// Timeout bounds the whole exchange (config.DeliveryTimeout).
	Timeout time.Duration
	// AllowLoopback (dev mode) lets loopback through; every other
	// non-public range stays refused.
	AllowLoopback bool
	// RootCAs replaces the system roots (tests with httptest TLS servers).
	RootCAs *x509.CertPool
	// RuntimeAPI is the Lambda runtime API host:port, refused even when
	// loopback is allowed. Empty: read AWS_LAMBDA_RUNTIME_API.
	RuntimeAPI string
	// DeniedLoopbackPorts are refused on loopback even when loopback is
	// allowed: the dev runtime's own services (emulators, API), which a
	// webhook URL must never drive.
	DeniedLoopbackPorts []int
	// MaxIdlePerHost bounds idle keep-alive connections per host; a batch
	// of 10 messages to one endpoint reuses its connections (default 16).
	MaxIdlePerHost int
}

// Guard decides which addresses may be dialled.
type Guard struct {
	allowLoopback bool
	runtimeAPI    netip.AddrPort // zero when unknown
	deniedPorts   []int
}

// NewGuard returns the guard for o.
func NewGuard(o Options) *Guard {
	api := o.RuntimeAPI
	if api == "" {
		api = os.Getenv("AWS_LAMBDA_RUNTIME_API")
	}
	g := &Guard{allowLoopback: o.AllowLoopback, deniedPorts: o.DeniedLoopbackPorts}
	if ap, err := netip.ParseAddrPort(api); err == nil {
		g.runtimeAPI = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return g
}

// Check returns a *BlockedError if the address may not be dialled.
func (g *Guard) Check(ap netip.AddrPort) error {
	ip := ap.Addr().Unmap().WithZone("")
	if g.runtimeAPI.IsValid() && ip == g.runtimeAPI.Addr() && (g.runtimeAPI.Port() == 0 || ap.Port() == g.runtimeAPI.Port()) {
		return &BlockedError{Addr: ap.String()}
	}
	if Refused(ap.Addr(), g.allowLoopback) || ip.IsLoopback() && slices.Contains(g.deniedPorts, int(ap.Port())) {
		return &BlockedError{Addr: ap.String()}
	}
	return nil
}

// control is the net.Dialer.Control hook: address is the resolved
// "ip:port" about to be connected.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Not an IP literal: refuse rather than guess (Control always sees IPs).
		return &BlockedError{Addr: address}
	}
	return g.Check(ap)
}

// NewClient returns the delivery client: guarded dialer, no proxy (proxy
// variables would let the request leave from elsewhere and the guard would
// check the proxy, not the target), no redirects (a 3xx is an outcome, and
// following it would reach an unvalidated URL), the timeout, and response
// headers of at most MaxResponseHeaderBytes (over HTTP/2 too: the transport
// advertises it as SETTINGS_MAX_HEADER_LIST_SIZE and checks the decoded size).
func NewClient(o Options) *http.Client {
	g := NewGuard(o)
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second, Control: g.control}
	idle := o.MaxIdlePerHost
	if idle <= 0 {
		idle = 16
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: MaxResponseHeaderBytes,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    idle,
		IdleConnTimeout:        60 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
