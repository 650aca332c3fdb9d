package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
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
	accentRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	// An origin as CSP source expressions write it: https scheme, a host
	// (optionally "*." for subdomains), an optional port, nothing else.
	frameOriginRe = regexp.MustCompile(`^https://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$`)
)

// Validate reports every problem at once, naming the variable (the CDK
// stack rewords them with its context keys).
func (p Portal) Validate() error {
	var errs []error
	n := utf8.RuneCountInString(p.ProductName)
	if strings.TrimSpace(p.ProductName) == "" || n > maxProductName || strings.ContainsFunc(p.ProductName, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		errs = append(errs, fmt.Errorf("%s=%q: must be 1 to %d printable characters", EnvPortalName, p.ProductName, maxProductName))
	}
	if !accentRe.MatchString(p.AccentColor) {
		errs = append(errs, fmt.Errorf("%s=%q: must be a colour like #4f46e5", EnvPortalAccent, p.AccentColor))
	}
	if p.LogoURL != "" {
		u, err := url.Parse(p.LogoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(p.LogoURL, " ;,'\"") {
			errs = append(errs, fmt.Errorf("%s=%q: must be an https:// image URL", EnvPortalLogoURL, p.LogoURL))
		}
	}
	for _, o := range p.FrameAncestors {
		if !frameOriginRe.MatchString(o) {
			errs = append(errs, fmt.Errorf("%s: %q must be an https origin such as https://app.example.com or https://*.example.com", EnvPortalFrameAncestors, o))
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
