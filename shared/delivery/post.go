package delivery

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/signing"
)

const (
	// maxResponseRead is how much of a response is read: enough for the
	// connection to be reused after typical answers, bounded against
	// endpoints that stream forever.
	maxResponseRead = 64 << 10
	// maxExcerpt is what the attempt log keeps of it.
	maxExcerpt = 1 << 10
	// maxDeliveredExcerpt is what it keeps of a 2xx answer: a first-attempt
	// success writes that entry alone, and it must stay within 1 KB.
	maxDeliveredExcerpt = 128
)

// attempt makes j's attempt, at j.at, and returns its result. Only an
// accepted URL is POSTed: a refused one gives invalid_url, and a spent
// attempt the result the earlier receive recorded (spentResult).
// attempted is false when the invocation's deadline left no time for the
// POST or cut it (notPosted): nothing is counted.
func (h *Handler) attempt(ctx context.Context, j *job) (r result, attempted bool) {
	j.at = h.now()
	switch {
	case j.spent:
		return spentResult(j.prior.LastStatusCode, j.prior.LastErrorClass), true
	case j.urlErr != nil:
		return result{class: ClassInvalidURL}, true
	case h.tooLateToPost(ctx):
		return result{}, h.notPosted(ctx, j.d, "delivery not attempted: the invocation's deadline is near")
	}
	r = h.post(ctx, j.u, j.d, j.active, j.at)
	if cutByDeadline(ctx, r) {
		return result{}, h.notPosted(ctx, j.d, "delivery not counted: the invocation's deadline cut its POST")
	}
	j.posted = r
	return r, true
}

// post sends the envelope, signed with secrets at now, and reports what
// came back. It never returns the transport error itself (see errorClass).
func (h *Handler) post(ctx context.Context, u *url.URL, d message.Delivery, secretList []string, now time.Time) result {
	body := []byte(d.Envelope)
	hdr, err := signing.Headers(signing.Request{
		Prefix: h.cfg.HeaderPrefix, Version: h.version, EventName: d.EventName,
		DeliveryID: d.DeliveryID, Timestamp: now, Secrets: secretList, Body: body,
	})
	if err != nil {
		return result{class: ClassSigning}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return result{class: ClassInvalidURL}
	}
	req.Header = hdr
	start := time.Now()
	resp, err := h.client.Do(req)
	if err != nil {
		return result{class: errorClass(err), latency: time.Since(start)}
	}
	defer resp.Body.Close()
	// A read error after the status line changes nothing: the status is
	// the endpoint's answer.
	r := result{status: resp.StatusCode, excerpt: readResponse(resp.Body)}
	r.latency = time.Since(start)
	if resp.StatusCode == http.StatusTooManyRequests {
		r.retryAfter, r.hasRetry = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	}
	return r
}

// readResponse reads at most maxResponseRead bytes of body (a body read to
// its end lets the connection be reused) and returns their excerpt.
func readResponse(body io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(body, maxResponseRead))
	return excerpt(b)
}

// excerpt keeps at most maxExcerpt bytes of valid UTF-8 (a rune cut at the
// limit is dropped, not mangled).
func excerpt(b []byte) string {
	if len(b) > maxExcerpt {
		b = b[:maxExcerpt]
	}
	return strings.ToValidUTF8(string(b), "")
}
