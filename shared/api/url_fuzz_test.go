package api

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/netguard"
)

// FuzzWebhookURL: the API's URL check never panics and refuses with a 400
// invalid_url; what it accepts in a deployed stack is an https URL without
// credentials that the delivery path parses the same way, whose literal
// address (if any) the connect-time guard would allow, and which dev mode
// accepts too; what dev mode accepts over http is on a loopback host and
// never on the stack's own ports.
func FuzzWebhookURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/hooks?x=1", "http://127.0.0.1:9000/hook", "http://localhost:8080/", "https://user:pw@example.com/",
		"https://100.64.0.1/", "https://[::127.0.0.1]/", "https://[fe80::1%25eth0]/", "https://[64:ff9b::a9fe:a9fe]/",
		"https://0.1.2.3/", "https://198.18.0.1/", "https://240.0.0.1/", "https://127.1/", "https://0x7f.0.0.1/",
		"https://2130706433/", "https://example.com.:443/", "https://[::ffff:127.0.0.1]/", "https://EXAMPLE.com:0/",
		"https:example.com", "//example.com", "https://%31%32%37.0.0.1/", "https://127.0.0.1./", "https://[::1]:99999/",
		"https://１２７.０.０.１/", "https://127。0。0。1/", "http://ｌｏｃａｌｈｏｓｔ:8080/", "https://xn--bcher-kva.example/h",
	} {
		f.Add(s)
	}
	prod := validator{known: func(string) bool { return true }}
	dev := validator{allowLoopback: true, deniedPorts: []int{8080, 4566}, known: prod.known}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, v := range []validator{prod, dev} {
			err := v.url(raw)
			if err == nil {
				continue
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code != codeInvalidURL || ae.Message == "" {
				t.Fatalf("url %q (dev %v): %v, want 400 invalid_url", raw, v.allowLoopback, err)
			}
		}
		if prod.url(raw) == nil {
			u, err := netguard.ValidateURL(raw, false)
			if err != nil {
				t.Fatalf("the API accepts %q, delivery refuses it: %v", raw, err)
			}
			if strings.IndexFunc(u.Hostname(), isNonASCII) >= 0 {
				t.Fatalf("accepted %q, whose host net/http maps with IDNA before it connects", raw)
			}
			if u.Scheme != "https" || u.User != nil || isLoopbackHost(u.Hostname()) {
				t.Fatalf("accepted %q: scheme %s, credentials %v, host %q", raw, u.Scheme, u.User != nil, u.Hostname())
			}
			ip, err := netip.ParseAddr(strings.TrimSuffix(u.Hostname(), "."))
			if err == nil && netguard.Refused(ip, false) {
				t.Fatalf("accepted %q, whose address %s the guard refuses", raw, ip)
			}
			if err != nil && endsInNumber(u.Hostname()) {
				t.Fatalf("accepted %q, whose host browsers and inet_aton read as an IPv4 address", raw)
			}
			if dev.url(raw) != nil {
				t.Fatalf("%q is accepted deployed but not in dev mode", raw)
			}
		}
		if dev.url(raw) == nil {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("dev accepted unparsable %q", raw)
			}
			if _, err := netguard.ValidateURL(raw, true); err != nil {
				t.Fatalf("dev mode accepts %q, delivery refuses it: %v", raw, err)
			}
			if isLoopbackHost(u.Hostname()) && (effectivePort(u) == 8080 || effectivePort(u) == 4566) {
				t.Fatalf("dev accepted %q on the stack's own port", raw)
			}
			if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
				t.Fatalf("dev accepted http to a non-loopback host: %q", raw)
			}
		}
	})
}

// IPv4 addresses in the forms the WHATWG URL standard and inet_aton accept
// besides the dotted quad are refused: each names 127.0.0.1 or another
// address a name check at connect time would never see as written.
func TestNumericHostFormsAreRefused(t *testing.T) {
	v := validator{known: func(string) bool { return true }}
	for _, raw := range []string{"https://127.1/", "https://0x7f.0.0.1/", "https://2130706433/", "https://0177.0.0.1/",
		"https://1.2.3/", "https://example.123/", "https://a.0x1/", "https://0x7f000001./"} {
		if err := v.url(raw); err == nil || !strings.Contains(err.Error(), "non-standard form") {
			t.Errorf("%s: %v, want a refusal naming the numeric form", raw, err)
		}
	}
	for _, raw := range []string{"https://example.com/", "https://1.1.1.1/", "https://123.example/", "https://0x.example/", "https://a1.b2/"} {
		if err := v.url(raw); err != nil {
			t.Errorf("%s: %v, want accepted", raw, err)
		}
	}
	// In dev mode, http to such a form of a loopback address is told what
	// is wrong with the host, not to use https (which would not help).
	dev := validator{known: func(string) bool { return true }, allowLoopback: true}
	for _, raw := range []string{"http://127.1:9001/h", "http://0x7f.0.0.1:9001/", "http://2130706433:9001/"} {
		if err := dev.url(raw); err == nil || !strings.Contains(err.Error(), "non-standard form") {
			t.Errorf("dev mode, %s: %v, want a refusal naming the numeric form", raw, err)
		}
	}
	if err := dev.url("http://127.0.0.1:9001/h"); err != nil {
		t.Errorf("dev mode, http://127.0.0.1:9001/h: %v, want accepted", err)
	}
}
