package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Portal is the tenant portal's brand: the deploying team's product, not
// hookrelay's. The CDK stack sets it from context keys and validates it
// with Validate, so a deploy fails before a Lambda would.
type Portal struct {
	ProductName string
	AccentColor string // #rrggbb
	LogoURL     string // https URL of an image, or "" for none
	// FrameAncestors are the origins allowed to show the portal in an
	// iframe (CSP frame-ancestors); none: it cannot be framed.
	FrameAncestors []string
}

// DefaultPortal is the brand of a deployment that set none.
func DefaultPortal() Portal {
	return Portal{ProductName: "hookrelay", AccentColor: "#4f46e5"}
}

const maxProductName = 60

var (
	accentRe = lazyRegexp(`^#[0-9a-fA-F]{6}$`)
	// An origin as CSP source expressions write it: https scheme, a host
	// (optionally "*." for subdomains), an optional port, nothing else.
	frameOriginRe = lazyRegexp(`^https://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$`)
	// A page beside make dev: http on an IPv4 loopback address with a
	// port, the form loopbackFrame checks the parts of.
	loopbackFrameRe = lazyRegexp(`^http://([0-9.]+):([0-9]{1,5})$`)
)

// loopbackFrame: o is a page beside make dev (http, loopback only, like
// make dev itself), so the iframe can be tried locally: 127.0.0.1 is make
// dev's own site, another 127.0.0.0/8 address (127.0.0.2) another site.
// IPv4 only: CSP source expressions have no IPv6 literal form, so Chromium
// drops http://[::1]:PORT and the directive becomes frame-ancestors 'none'.
func loopbackFrame(o string) bool {
	m := loopbackFrameRe().FindStringSubmatch(o)
	if m == nil {
		return false
	}
	addr, err := netip.ParseAddr(m[1]) // canonical dotted quads only
	port, _ := strconv.Atoi(m[2])
	return err == nil && addr.Is4() && addr.IsLoopback() && port >= 1 && port <= 65535
}

// PortalNames name Portal's fields in error messages: the environment
// variables (PortalEnv), or the CDK context keys.
type PortalNames struct {
	ProductName, AccentColor, LogoURL, FrameAncestors string
	// LoopbackFrames also accepts http loopback frame ancestors: only the
	// environment's (make dev; a stack sets it from its context key,
	// which refuses them).
	LoopbackFrames bool
}

// PortalEnv names the fields by their environment variables.
var PortalEnv = PortalNames{EnvPortalName, EnvPortalAccent, EnvPortalLogoURL, EnvPortalFrameAncestors, true}

// Validate reports every problem at once, naming the variables.
func (p Portal) Validate() error { return p.ValidateAs(PortalEnv) }

// ValidateAs is Validate with the fields named by n. The values end up in
// HTML, a stylesheet and the Content-Security-Policy header, so anything
// that could break out of those is refused.
func (p Portal) ValidateAs(n PortalNames) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	runes := utf8.RuneCountInString(p.ProductName)
	if strings.TrimSpace(p.ProductName) == "" || runes > maxProductName || strings.ContainsFunc(p.ProductName, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		bad(n.ProductName, "%q must be 1 to %d printable characters", p.ProductName, maxProductName)
	}
	if !accentRe().MatchString(p.AccentColor) {
		bad(n.AccentColor, "%q must be a colour like #4f46e5", p.AccentColor)
	}
	if p.LogoURL != "" {
		u, err := url.Parse(p.LogoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(p.LogoURL, " ;,'\"") {
			bad(n.LogoURL, "%q must be an https:// image URL", p.LogoURL)
		}
	}
	for _, o := range p.FrameAncestors {
		if !frameOriginRe().MatchString(o) && !(n.LoopbackFrames && loopbackFrame(o)) {
			local := ""
			if n.LoopbackFrames {
				local = " (make dev: also an IPv4 loopback page such as http://127.0.0.1:PORT, or http://127.0.0.2:PORT for another site;" +
					" not http://[::1]:PORT: browsers ignore IPv6 literals in CSP frame-ancestors, which would then refuse every frame)"
			}
			bad(n.FrameAncestors, "%q must be an https origin such as https://app.example.com or https://*.example.com%s", o, local)
		}
	}
	return errors.Join(errs...)
}

// LogoOrigin is the scheme and host of the logo, for the CSP's img-src.
func (p Portal) LogoOrigin() string {
	u, err := url.Parse(p.LogoURL)
	if p.LogoURL == "" || err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// SplitList splits a comma-separated value, dropping empty parts.
func SplitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
