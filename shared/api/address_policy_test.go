package api_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/netguard"
)

// URLs whose host is an address delivery always refuses. Nothing here is
// ever connected to: the API only parses and stores URLs.
var refusedLiterals = []string{
	"https://100.64.0.1/",
	"https://[::127.0.0.1]/",
	"https://[fe80::1%25eth0]/",
	"https://[2606:4700::1111%25eth0]/",
	"https://[64:ff9b::a9fe:a9fe]/",
	"https://[64:ff9b:1::a00:1]/",
	"https://0.1.2.3/",
	"https://198.18.0.1/",
	"https://240.0.0.1/",
	"https://192.88.99.1/",
	"https://[::ffff:0:a9fe:a9fe]/",
	"https://[::ffff:169.254.169.254]/",
	"https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
	"https://[2002:a9fe:a9fe::1]/",
	"https://10.1.2.3./",
}

// Public literals the guard lets through stay accepted (stored, never called).
var acceptedLiterals = []string{
	"https://93.184.216.34/h",
	"https://[2606:4700:4700::1111]/h",
	"https://[2001:4860:4860::8888]/h",
	"https://[64:ff9b::808:808]/h",
	"https://example.com/h",
}

func TestLiteralAddressesDeliveryRefusesAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.token("org_addr")
	for _, u := range refusedLiterals {
		msg := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": "x", "url": u, "all_events": true}).
			wantError(t, http.StatusBadRequest, "invalid_url")
		if !strings.Contains(msg, "never sent to") {
			t.Errorf("%s: message %q does not say why", u, msg)
		}
	}
	hook := e.create(tok, createBody("ok", "emailOpen"))
	for _, u := range refusedLiterals {
		e.do(http.MethodPatch, webhooksPath+"/"+hook.ID, tok, map[string]any{"url": u}).wantError(t, http.StatusBadRequest, "invalid_url")
	}
	if got := e.do(http.MethodGet, webhooksPath+"/"+hook.ID, tok, nil).webhook(t); got.URL != hook.URL {
		t.Fatalf("a refused PATCH changed the url to %s", got.URL)
	}
	for _, u := range acceptedLiterals {
		if got := e.create(tok, map[string]any{"name": "pub", "url": u, "all_events": true}); got.URL != u {
			t.Errorf("url %s stored as %s", u, got.URL)
		}
	}
}

// One policy: for every literal, in both modes, the API accepts exactly
// what the delivery client's guard would connect to.
func TestAddressPolicyIsTheGuards(t *testing.T) {
	t.Parallel()
	literals := append(append([]string{
		"https://127.0.0.1/", "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://[64:ff9b::7f00:1]/",
		"https://10.0.0.1/", "https://[fd00:ec2::254]/",
	}, refusedLiterals...), acceptedLiterals[:4]...)
	for _, dev := range []bool{false, true} {
		e := newEnv(t, func(d *api.Deps) { d.Config.AllowLoopback = dev })
		guard := netguard.NewGuard(netguard.Options{AllowLoopback: dev, RuntimeAPI: "192.0.2.1:9"})
		tok := e.token("org_policy")
		for _, raw := range literals {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			ip := netip.MustParseAddr(strings.TrimSuffix(u.Hostname(), "."))
			guardAllows := guard.Check(netip.AddrPortFrom(ip, 443)) == nil
			res := e.do(http.MethodPost, webhooksPath, tok, map[string]any{"name": "p", "url": raw, "all_events": true})
			if apiAllows := res.status == http.StatusCreated; apiAllows != guardAllows {
				t.Errorf("dev=%v %s: API accepts=%v (status %d), guard allows=%v", dev, raw, apiAllows, res.status, guardAllows)
			}
		}
	}
}
