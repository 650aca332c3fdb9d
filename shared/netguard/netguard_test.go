package netguard

import (
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testTimeout bounds the test clients' requests to loopback servers: they
// take milliseconds, and the bound only ends a hang. It is far above a
// starved machine's stalls (a TLS handshake on a loaded 2-core machine
// has taken over 500 ms), since a request it cut short fails the test.
const testTimeout = 30 * time.Second

// Classification is tested on parsed addresses only: nothing here dials a
// private or public address.
func TestBlockedClassification(t *testing.T) {
	blocked := []string{
		"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254",
		"127.0.0.1", "127.8.9.10", "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "192.0.0.170", "198.18.0.1", "224.0.0.1", "255.255.255.255",
		"::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe",
		"::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::10.1.2.3", "2002:a9fe:a9fe::1", "2002:7f00:1::",
		"192.88.99.1", "::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
		"2001:2::1", "64:ff9b:1::a9fe:a9fe", "64:ff9b::c612:1", "2002:6440:1::", "2002:c058:6301::",
		"2606:4700::1111%eth0", "240.0.0.1",
	}
	for _, s := range blocked {
		if !Blocked(netip.MustParseAddr(s)) {
			t.Errorf("%s not blocked", s)
		}
	}
	public := []string{
		"1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255",
		"172.32.0.0", "192.169.0.1", "169.253.255.255", "2606:4700:4700::1111", "2a00:1450:4001::200e",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2001:4860:4860::8888", "2001:200::1",
	}
	for _, s := range public {
		if Blocked(netip.MustParseAddr(s)) {
			t.Errorf("%s blocked, want allowed", s)
		}
	}
}

func TestGuardCheck(t *testing.T) {
	cases := []struct {
		opts    Options
		addr    string
		blocked bool
	}{
		{Options{RuntimeAPI: "127.0.0.1:9001"}, "127.0.0.1:443", true},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "127.0.0.1:443", false},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "[::1]:443", false},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "127.0.0.1:9001", true},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "[::ffff:127.0.0.1]:9001", true},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "10.0.0.1:443", true},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "169.254.169.254:80", true},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "[fd00::1]:443", true},
		{Options{RuntimeAPI: "127.0.0.1:9001"}, "8.8.8.8:443", false},
		// The dev stack's own ports stay refused under the loopback allowance.
		{Options{AllowLoopback: true, DeniedLoopbackPorts: []int{4100, 8080}}, "127.0.0.1:4100", true},
		{Options{AllowLoopback: true, DeniedLoopbackPorts: []int{4100, 8080}}, "127.9.9.9:8080", true},
		{Options{AllowLoopback: true, DeniedLoopbackPorts: []int{4100, 8080}}, "[::1]:4100", true},
		{Options{AllowLoopback: true, DeniedLoopbackPorts: []int{4100, 8080}}, "[::ffff:127.0.0.1]:8080", true},
		{Options{AllowLoopback: true, DeniedLoopbackPorts: []int{4100, 8080}}, "127.0.0.1:4101", false},
		// The allowance covers loopback itself, not addresses embedding it.
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "[::127.0.0.1]:443", true},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "[64:ff9b::7f00:1]:443", true},
		{Options{RuntimeAPI: "127.0.0.1:9001", AllowLoopback: true}, "[::1%lo]:443", true},
		{Options{RuntimeAPI: "127.0.0.1:9001"}, "[2606:4700::1111%eth0]:443", true},
	}
	for _, c := range cases {
		err := NewGuard(c.opts).Check(netip.MustParseAddrPort(c.addr))
		if got := errors.Is(err, ErrBlockedAddress); got != c.blocked {
			t.Errorf("loopback=%v %s: blocked=%v (%v), want %v", c.opts.AllowLoopback, c.addr, got, err, c.blocked)
		}
	}
}

func TestRuntimeAPIFromEnvironment(t *testing.T) {
	t.Setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
	err := NewGuard(Options{AllowLoopback: true}).Check(netip.MustParseAddrPort("127.0.0.1:9001"))
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("runtime API not blocked: %v", err)
	}
}

// The refusal happens at connect time: the loopback receiver never sees
// a request, whether the URL names an IP or a host name that resolves.
func TestClientRefusesLoopbackAtConnect(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c := NewClient(Options{Timeout: testTimeout})
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		resp, err := c.Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
		var be *BlockedError
		if !errors.Is(err, ErrBlockedAddress) || !errors.As(err, &be) {
			t.Errorf("%s: err = %v, want ErrBlockedAddress", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("receiver was reached %d times", hits.Load())
	}
}

func TestClientDevModeNoRedirectsNoProxy(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) })
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { followed.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := NewClient(Options{Timeout: testTimeout, AllowLoopback: true})
	if c.Transport.(*http.Transport).Proxy != nil {
		t.Fatal("transport consults proxy settings")
	}
	resp, err := c.Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed.Load() != 0 {
		t.Fatalf("status %d, followed %d: redirects must not be followed", resp.StatusCode, followed.Load())
	}
}

func TestClientTLSWithInjectedRoots(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	untrusted := NewClient(Options{Timeout: testTimeout, AllowLoopback: true})
	if _, err := untrusted.Get(srv.URL); err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	trusted := NewClient(Options{Timeout: testTimeout, AllowLoopback: true, RootCAs: pool})
	resp, err := trusted.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestValidateURLAndMask(t *testing.T) {
	for _, c := range []struct {
		url      string
		loopback bool
		ok       bool
	}{
		{"https://example.com/hook", false, true},
		{"http://example.com/hook", false, false},
		{"http://127.0.0.1:8081/hook", true, true},
		{"ftp://example.com/", true, false},
		{"https:///nohost", false, false},
		{"https:opaque", false, false},
		{"://bad", false, false},
	} {
		_, err := ValidateURL(c.url, c.loopback)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, ErrInvalidURL) {
			t.Errorf("ValidateURL(%q, %v) = %v, want ok=%v", c.url, c.loopback, err, c.ok)
		}
	}
	if got := Mask("https://user:pw@hooks.example.com:8443/t/SECRET?k=v"); got != "https://hooks.example.com:8443/…" {
		t.Fatalf("Mask = %q", got)
	}
}
