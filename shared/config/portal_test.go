package config

import (
	"slices"
	"strings"
	"testing"
)

func TestPortalBrandFromEnvironment(t *testing.T) {
	env := map[string]string{
		EnvPortalName: "Acme CRM", EnvPortalAccent: "#0A7F5a", EnvPortalLogoURL: "https://cdn.acme.example/logo.svg",
		EnvPortalFrameAncestors: "https://app.acme.example, https://*.acme.example:8443",
	}
	c, err := FromLookup(lookupOf(env))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Portal
	if p.ProductName != "Acme CRM" || p.AccentColor != "#0A7F5a" || p.LogoURL != env[EnvPortalLogoURL] ||
		!slices.Equal(p.FrameAncestors, []string{"https://app.acme.example", "https://*.acme.example:8443"}) {
		t.Fatalf("portal %+v", p)
	}
	if got := p.LogoOrigin(); got != "https://cdn.acme.example" {
		t.Fatalf("logo origin %q", got)
	}
	if err := Defaults().Portal.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}

func TestPortalBrandRejectsUnsafeValues(t *testing.T) {
	for name, p := range map[string]Portal{
		EnvPortalName:                     {ProductName: strings.Repeat("x", 61), AccentColor: "#000000"},
		EnvPortalName + " ctl":            {ProductName: "a\nb", AccentColor: "#000000"},
		EnvPortalAccent:                   {ProductName: "A", AccentColor: "red;}body{display:none"},
		EnvPortalLogoURL:                  {ProductName: "A", AccentColor: "#000000", LogoURL: "http://cdn.example/logo.png"},
		EnvPortalLogoURL + " ;":           {ProductName: "A", AccentColor: "#000000", LogoURL: "https://cdn.example/a.png; script-src *"},
		EnvPortalFrameAncestors:           {ProductName: "A", AccentColor: "#000000", FrameAncestors: []string{"*"}},
		EnvPortalFrameAncestors + " path": {ProductName: "A", AccentColor: "#000000", FrameAncestors: []string{"https://a.example/x"}},
	} {
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), strings.Fields(name)[0]) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// make dev's own origins (http on loopback, with a port) are for the
	// environment, to try the iframe locally; the stack's context key
	// (other names) refuses them, and any other http origin everywhere.
	local := Portal{ProductName: "A", AccentColor: "#000000", FrameAncestors: []string{"http://127.0.0.1:19080", "http://127.0.0.2:8081", "http://127.255.0.9:1"}}
	if err := local.Validate(); err != nil {
		t.Errorf("make dev's loopback origins: %v", err)
	}
	if err := local.ValidateAs(PortalNames{FrameAncestors: "context"}); err == nil {
		t.Error("loopback origins accepted under other names than the environment's")
	}
	// Chromium ignores an IPv6 literal in a CSP source ("[::1]" cannot be
	// written as one), which would leave frame-ancestors 'none': refused,
	// saying so, as are names and anything not an IPv4 loopback origin.
	for _, o := range []string{"http://[::1]:8081", "http://localhost:19080", "http://10.0.0.1:19080", "http://128.0.0.1:19080",
		"http://127.0.0.256:19080", "http://127.0.0.01:19080", "http://127.1:19080", "http://127.0.0.1", "http://127.0.0.1:",
		"http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:1/x", "http://app.example.com:80"} {
		err := (Portal{ProductName: "A", AccentColor: "#000000", FrameAncestors: []string{o}}).Validate()
		if err == nil || !strings.Contains(err.Error(), EnvPortalFrameAncestors) || !strings.Contains(err.Error(), "http://127.0.0.2:PORT") ||
			!strings.Contains(err.Error(), "IPv6") {
			t.Errorf("%s: err = %v", o, err)
		}
	}
	_, err := FromLookup(lookupOf(map[string]string{EnvPortalAccent: "blue"}))
	if err == nil || !strings.Contains(err.Error(), EnvPortalAccent) {
		t.Fatalf("Load with a bad accent: %v", err)
	}
}
