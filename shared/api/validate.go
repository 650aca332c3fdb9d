package api

import (
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/netguard"
	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Webhook field limits.
const (
	maxURLLength  = 2048
	maxNameLength = 100
)

// validator checks tenant input for webhooks. It is pure: no store, no
// network (URLs are checked as written; the delivery client checks the
// addresses a name resolves to when it connects).
type validator struct {
	// allowLoopback is dev mode: http:// is accepted on a loopback host.
	allowLoopback bool
	// deniedPorts are the dev stack's own loopback ports (emulators, API),
	// refused here as the delivery client refuses them.
	deniedPorts []int
	// known reports whether an event type is in the catalog.
	known func(name string) bool
}

// invalidField rejects a webhook field (400, code naming the field). The
// design's contract: `http://example.com` is a bad request.
func invalidField(code, format string, args ...any) *apiError {
	return fail(http.StatusBadRequest, code, format, args...)
}

// invalid rejects a published event that is well-formed JSON but breaks the
// catalog (422: the request is understood, the content is not acceptable).
func invalid(code, format string, args ...any) *apiError {
	return fail(http.StatusUnprocessableEntity, code, format, args...)
}

func (v validator) name(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case strings.TrimSpace(name) == "":
		return invalidField(codeInvalidName, "name must not be empty")
	case n > maxNameLength:
		return invalidField(codeInvalidName, "name must be at most %d characters", maxNameLength)
	}
	if i := strings.IndexFunc(name, ids.HiddenOrControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		return invalidField(codeInvalidName, "name must not contain control, bidirectional-formatting, line-separator, U+FFFE or U+FFFF characters (found U+%04X)", r)
	}
	return nil
}

func (v validator) url(raw string) error {
	if raw == "" {
		return invalidField(codeInvalidURL, "url must not be empty")
	}
	if len(raw) > maxURLLength {
		return invalidField(codeInvalidURL, "url must be at most %d bytes of UTF-8", maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" || u.Hostname() == "" {
		return invalidField(codeInvalidURL, "url must be an absolute URL with a host")
	}
	if u.User != nil {
		return invalidField(codeInvalidURL, "url must not contain credentials")
	}
	if strings.IndexFunc(u.Hostname(), isNonASCII) >= 0 {
		// net/http maps such a host with IDNA before it connects, so
		// fullwidth or ideographic characters (１２７.０.０.１, 127。0。0。1,
		// ｌｏｃａｌｈｏｓｔ) would name addresses the checks below read as
		// a name; the mapping's tables do not fit the api function's size
		// budget, and the xn-- form of a name is its exact ASCII spelling.
		return invalidField(codeInvalidURL, "url host must be ASCII: write an internationalised domain name in its xn-- (punycode) form")
	}
	if emptyLabel(u.Hostname()) {
		// No resolver answers for such a name: every delivery would fail.
		return invalidField(codeInvalidURL, "url host has an empty label (two dots in a row, or a leading dot)")
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return invalidField(codeInvalidURL, "url has an invalid port")
	}
	ip, ipErr := netip.ParseAddr(strings.TrimSuffix(u.Hostname(), "."))
	if ipErr != nil && endsInNumber(u.Hostname()) {
		// Not a dotted quad, yet what browsers (the WHATWG URL standard)
		// and inet_aton read as IPv4: 127.1, 0x7f.0.0.1, 2130706433 are
		// 127.0.0.1. No DNS name ends in a number, so no such URL can be
		// delivered to as intended, whatever its scheme: this is said
		// first, as http on such a loopback address would be told to use
		// https instead.
		return invalidField(codeInvalidURL, "url host is a numeric address in a non-standard form: write an IPv4 address as four decimal numbers")
	}
	loopback := isLoopbackHost(u.Hostname())
	if loopback && v.allowLoopback && isUnderLocalhost(u.Hostname()) {
		// Loopback by name only: delivery resolves it through /etc/hosts
		// and DNS, which do not answer for it, so every delivery would be
		// dead-lettered (and the question would leave the machine).
		return invalidField(codeInvalidURL, "url host is a name under .localhost, which deliveries cannot resolve: use localhost or 127.0.0.1")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && v.allowLoopback && loopback:
	case v.allowLoopback:
		return invalidField(codeInvalidURL, "url must use https (http is accepted only on a loopback host in dev mode)")
	default:
		return invalidField(codeInvalidURL, "url must use https")
	}
	// The delivery client's own rule, applied to an address written in the
	// URL: one it would refuse on every attempt is refused here. A name is
	// checked when delivery connects to whatever it resolves to then.
	if ipErr == nil {
		if netguard.Refused(ip, v.allowLoopback) {
			// A zone is the client's text, up to the URL's length.
			return invalidField(codeInvalidURL, "url points to %s, an address deliveries are never sent to "+
				"(loopback, private, link-local, shared, reserved, zoned, or embedding such an IPv4 address)", phrase.Clip(ip.String(), phrase.QuoteMax, "…"))
		}
	} else if loopback && !v.allowLoopback {
		return invalidField(codeInvalidURL, "url must not point to a loopback host")
	}
	if loopback && slices.Contains(v.deniedPorts, effectivePort(u)) {
		return invalidField(codeInvalidURL, "url must not point to the local stack's own services (its API or emulators)")
	}
	return nil
}

func isNonASCII(r rune) bool { return r >= utf8.RuneSelf }

// effectivePort is the URL's port, or its scheme's default.
func effectivePort(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// endsInNumber is the WHATWG URL standard's test for a host it parses as
// IPv4: the last label (a trailing dot aside) is decimal digits or 0x hex.
func endsInNumber(host string) bool {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	last := strings.ToLower(labels[len(labels)-1])
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

// emptyLabel reports a DNS name with an empty label; one trailing dot
// (the root) is allowed. IPv6 literals have no labels.
func emptyLabel(host string) bool {
	if strings.Contains(host, ":") {
		return false
	}
	return slices.Contains(strings.Split(strings.TrimSuffix(host, "."), "."), "")
}

// isUnderLocalhost reports a name under .localhost (RFC 6761), which
// browsers send to loopback but Go's resolver looks up like any other.
func isUnderLocalhost(host string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), ".localhost")
}

// isLoopbackHost: localhost names, 127.0.0.0/8 and ::1.
func isLoopbackHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || isUnderLocalhost(h) {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// subscription resolves event_types / all_events into the stored form:
// all events is ["*"] with AllEvents set. eventTypes nil means absent.
func (v validator) subscription(eventTypes []string, allEvents *bool) ([]string, bool, error) {
	wildcard := len(eventTypes) == 1 && eventTypes[0] == webhook.AllEvents
	all := allEvents != nil && *allEvents
	switch {
	case all && eventTypes != nil && !wildcard:
		return nil, false, invalidField(codeInvalidEventTypes, `event_types must be omitted or ["*"] when all_events is true`)
	case all || wildcard && allEvents == nil:
		return []string{webhook.AllEvents}, true, nil
	case wildcard:
		return nil, false, invalidField(codeInvalidEventTypes, `event_types ["*"] contradicts all_events false`)
	case eventTypes == nil:
		return nil, false, invalidField(codeInvalidEventTypes, `event_types is required (or all_events: true)`)
	case len(eventTypes) == 0:
		return nil, false, invalidField(codeInvalidEventTypes, "event_types must not be empty")
	}
	seen := make(map[string]bool, len(eventTypes))
	out := make([]string, 0, len(eventTypes))
	for _, name := range eventTypes {
		switch {
		case name == webhook.AllEvents:
			return nil, false, invalidField(codeInvalidEventTypes, `event_types may contain "*" only on its own`)
		case !v.known(name):
			return nil, false, invalidField(codeUnknownEventType, "event_types: unknown event type %s", phrase.Quote(name))
		case !seen[name]:
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, false, nil
}
