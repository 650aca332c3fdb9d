package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/netguard"
)

// Error classes recorded in the attempt log and the DLQ's last_error when
// no HTTP status came back.
const (
	ClassTimeout           = "timeout"
	ClassConnectionReset   = "connection_reset"
	ClassConnectionRefused = "connection_refused"
	ClassConnectionClosed  = "connection_closed"
	ClassConnection        = "connection"
	ClassDNS               = "dns"
	ClassTLS               = "tls"
	ClassBlockedAddress    = "blocked_address"
	ClassInvalidURL        = "invalid_url"
	ClassSigning           = "signing"
	ClassWebhookDeleted    = "webhook_deleted"
	ClassWebhookDisabled   = "webhook_disabled"
	// ClassUnsubscribed: the webhook no longer subscribes to the
	// delivery's event type (a PATCH of its event_types after the fan-out).
	ClassUnsubscribed = "unsubscribed"
	// ClassRetriesSpent: an earlier receive made the last attempt but could
	// not dead-letter it; this receive dead-letters without POSTing again.
	ClassRetriesSpent = "retries_spent"
	// ClassHeadersTooLarge: the endpoint's response headers exceeded
	// netguard.MaxResponseHeaderBytes, so its status was never read; like
	// a connection error, retried.
	ClassHeadersTooLarge = "response_headers_too_large"
)

// result is what one POST produced.
type result struct {
	status     int    // 0 when no response
	class      string // error class when no response
	retryAfter time.Duration
	hasRetry   bool // Retry-After present and valid
	excerpt    string
	latency    time.Duration
}

type action int

const (
	actDelivered action = iota
	actRetry
	actDeadLetter
	actRemove
	actFinish // failed, and done with: no retry, no dead letter, no removal
)

// decision is what to do with the message after attempt n.
type decision struct {
	act    action
	reason string        // DLQ reason code
	delay  time.Duration // visibility for actRetry
}

// decide applies the design's outcome table. Among 4xx only 410 and 429
// are special: 408 Request Timeout, like 400/401/404/413, is permanent.
// Unknown codes (1xx reaching us, ≥ 600) are retried: they say nothing
// about the request being wrong.
//
// A retry is scheduled only within the budget: its delay is capped at what
// SQS accepts from this receipt, and one that would end past the retry
// budget dead-letters with retry_budget_exhausted instead, because SQS
// would drop the message at its retention without a dead letter.
func decide(r result, n int, schedule []time.Duration, jitter func(time.Duration) time.Duration, b budget) decision {
	switch {
	case addressReason(r.class) != "":
		return decision{act: actDeadLetter, reason: addressReason(r.class)}
	case r.class != "":
		// timeout, connection, TLS, DNS, signing, response headers too large: retryable
	case r.status >= 200 && r.status < 300:
		return decision{act: actDelivered}
	case r.status == http.StatusGone:
		return decision{act: actRemove}
	case r.status == http.StatusTooManyRequests:
	case r.status >= 400 && r.status < 500:
		return decision{act: actDeadLetter, reason: message.ReasonPermanentStatus}
	}
	if n < 1 {
		n = 1
	}
	if n > len(schedule) {
		return decision{act: actDeadLetter, reason: message.ReasonRetriesExhausted}
	}
	step := schedule[n-1]
	delay := step + jitter(step/10)
	if r.status == http.StatusTooManyRequests && r.hasRetry && r.retryAfter > delay {
		delay = r.retryAfter // the floor is the step: a receiver cannot make us retry faster
	}
	delay = min(delay, b.maxDelay)
	if delay > b.left {
		return decision{act: actDeadLetter, reason: message.ReasonRetryBudget}
	}
	return decision{act: actRetry, delay: delay}
}

// addressReason is the dead-letter reason of an error class that blames
// the endpoint's address rather than its answer (none for the others):
// such an attempt is dead-lettered whatever its number, since every retry
// would meet the same refusal.
func addressReason(class string) string {
	switch class {
	case ClassBlockedAddress:
		return message.ReasonBlockedAddress
	case ClassInvalidURL:
		return message.ReasonInvalidURL
	}
	return ""
}

// once is the decision for a delivery that gets a single attempt, the
// tenant's test (message.Delivery.Test) at an endpoint disabled for
// failing: the tenant checks a fix before recovering it, and the attempt
// log entry is the answer. A retry or a dead letter would reach that
// recover as a missed delivery, and a 410 would delete the webhook with
// its parked deliveries.
func (dec decision) once() decision {
	if dec.act == actDelivered {
		return dec
	}
	return decision{act: actFinish}
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3).
// delay-seconds is digits only (no sign) and unbounded: a value past
// int64 (ParseInt's ErrRange, with MaxInt64) is as long as any other
// huge one, capped like it.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); (err == nil || errors.Is(err, strconv.ErrRange)) && v[0] != '+' && v[0] != '-' {
		return time.Duration(min(s, int64(config.MaxVisibility/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// errorClass names a transport error without its text: the text of a
// *url.Error repeats the URL, which may carry credentials.
func errorClass(err error) string {
	var netErr net.Error
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.Is(err, netguard.ErrBlockedAddress):
		return ClassBlockedAddress
	case netguard.HeadersTooLarge(err):
		return ClassHeadersTooLarge
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alert),
		errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid):
		return ClassTLS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return ClassTimeout
	case errors.As(err, &dnsErr):
		return ClassDNS
	case errors.Is(err, syscall.ECONNRESET):
		return ClassConnectionReset
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassConnectionRefused
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassConnectionClosed
	}
	return ClassConnection
}
