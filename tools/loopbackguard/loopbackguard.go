// Package loopbackguard refuses requests to a loopback emulator whose Host
// is not the emulator's own loopback address. goaws-loopback and
// kms-loopback use it; it is a module of its own so both modules (built
// with GOWORK=off) can require it by a relative replace.
package loopbackguard

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// Handler serves next only requests whose Host is 127.0.0.0/8, [::1] or
// localhost with the port the request arrived on, and answers others 421
// naming tool. Binding 127.0.0.1 keeps other machines out, but not DNS
// rebinding: a web page the developer opens while `make dev` runs can point
// its own name at 127.0.0.1, and the browser then treats the emulator as
// that page's origin (it could list the dev queues, or create keys and
// decrypt the envelope store's data keys). Such a request still names the
// attacker's host, which is refused here; the AWS SDK sends the endpoint
// URL's host:port, which passes.
func Handler(tool string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !LoopbackHost(r.Host, localPort(r)) {
			http.Error(w, tool+": refused Host "+strconv.Quote(r.Host)+
				": only 127.0.0.1, [::1] or localhost with this port (DNS rebinding guard)", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// localPort is the port the request's connection was accepted on (a tool
// may listen on several), or "" when the server did not record it, which
// LoopbackHost refuses: no port known, no Host can be checked against it.
func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr); ok {
		return strconv.Itoa(a.Port)
	}
	return ""
}

// LoopbackHost reports whether host names loopback with port. A Host
// without a port names port 80, so it passes only a listener on port 80,
// which hookrelay never uses.
func LoopbackHost(host, port string) bool {
	if port == "" {
		return false
	}
	name, hostPort, err := net.SplitHostPort(host)
	if err != nil { // no port in Host (or no valid one: the name then fails below)
		name, hostPort = host, "80"
		if strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]") {
			name = name[1 : len(name)-1]
		}
	}
	if hostPort != port {
		return false
	}
	if strings.EqualFold(name, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(name) // no zones: ParseAddr keeps one, Is4 and == then fail
	return err == nil && (ip.Is4() && ip.As4()[0] == 127 || ip == netip.IPv6Loopback())
}
