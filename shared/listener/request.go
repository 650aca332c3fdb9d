package listener

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/hookrelay/hookrelay/verify"
)

// errMissing marks a signature family whose headers are absent. hookrelay
// always sends both, so a missing one is a bug worth showing.
var errMissing = errors.New("missing")

// request is what the listener learned about one POST.
type request struct {
	at       time.Time
	event    string
	delivery string
	// claimed says what X-<Prefix>-Delivery holds when it is not the
	// signed webhook-id: no signature covers it, so it is shown, never
	// counted.
	claimed string
	attempt int
	body    []byte
	// One result per signature family, in the order printed.
	families []family
}

type family struct {
	name string
	err  error
}

// describe verifies each family on its own, so the output says which one
// failed. verify.Verifier checks whatever families a header set carries,
// so each check gets only its own family's headers.
func (l *Listener) describe(h http.Header, body []byte, now time.Time) request {
	sigHeader := verify.HeaderName(l.o.Prefix, "Signature")
	// The delivery id is webhook-id, which webhook-signature covers (both
	// families must verify before a request counts): attempts and
	// --fail-first go by it, as docs/signatures.md tells receivers to.
	req := request{
		at:       now,
		event:    h.Get(verify.HeaderName(l.o.Prefix, "Event")),
		delivery: h.Get(verify.HeaderWebhookID),
		body:     body,
	}
	deliveryHeader := verify.HeaderName(l.o.Prefix, "Delivery")
	if claimed := h.Get(deliveryHeader); req.delivery == "" {
		req.delivery = claimed
	} else if claimed != req.delivery {
		req.claimed = deliveryHeader + " says " + orDash(claimed)
	}
	req.families = []family{
		{sigHeader, l.check(h, body, now, sigHeader)},
		{verify.HeaderWebhookSignature, l.check(h, body, now,
			verify.HeaderWebhookSignature, verify.HeaderWebhookID, verify.HeaderWebhookTimestamp)},
	}
	return req
}

// check verifies the family whose headers are names (the first one being
// its signature header).
func (l *Listener) check(h http.Header, body []byte, now time.Time, names ...string) error {
	if h.Get(names[0]) == "" {
		return errMissing
	}
	only := http.Header{}
	for _, n := range names {
		if v := h.Get(n); v != "" {
			only.Set(n, v)
		}
	}
	return l.verifier.Verify(only, body, now)
}

func (r request) verified() bool {
	for _, f := range r.families {
		if f.err != nil {
			return false
		}
	}
	return true
}

func (r request) marks() string {
	parts := make([]string, 0, len(r.families))
	for _, f := range r.families {
		if f.err != nil {
			parts = append(parts, "✗ "+f.name)
		} else {
			parts = append(parts, "✓ "+f.name)
		}
	}
	return strings.Join(parts, "  ")
}

// badLine is the one line printed for a request that failed verification.
func (r request) badLine() string {
	var why []string
	for _, f := range r.families {
		switch {
		case f.err == nil:
		case errors.Is(f.err, errMissing):
			why = append(why, fmt.Sprintf("%s: %v", f.name, f.err))
		default: // verify's errors start with the header's name already
			why = append(why, f.err.Error())
		}
	}
	return fmt.Sprintf("%s  %s  %s  %s  → 400 bad signature (%s)",
		clock(r.at), orDash(r.event), orDash(r.delivery), r.marks(), strings.Join(why, "; "))
}

// block is the header line and the body (printBody) of a verified request.
func (r request) block(status int, delay time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  %s  attempt %d  %s  → %d", clock(r.at), orDash(r.event), r.delivery, r.attempt, r.marks(), status)
	if r.claimed != "" {
		fmt.Fprintf(&b, "  (%s)", r.claimed)
	}
	if delay > 0 {
		fmt.Fprintf(&b, " after %s", delay)
	}
	b.WriteString("\n")
	printBody(&b, r.body)
	b.WriteString("\n")
	return b.String()
}

// orDash makes a header value, or an unverified request's method or path,
// safe to print: they are anyone's text, so control characters (terminal
// escapes) are dropped and the length bounded.
func orDash(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}
