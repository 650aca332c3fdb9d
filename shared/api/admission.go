package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/shared/auth"
)

// callsPerToken is how many in-process calls under one AdmitOnce cost
// their organization one request: the portal's webhook list (the list and
// up to 50 attempt logs, 51 calls) costs 6 of an organization's burst of
// twice its rate, so a page renders and leaves the backend most of it,
// while what a page reads stays near its price: ten 21-entry reads cost
// one request, half what the same entries cost read directly at 100 a
// request (one token for the whole page made them 25 times cheaper).
const callsPerToken = 10

// admissionKey marks a context from AdmitOnce.
type admissionKey struct{}

// admission is one organization's charge against its rate limit for the
// in-process calls made while serving one page.
type admission struct {
	mu    sync.Mutex
	org   string // the organization admitted; "" until Admit or a call admitted one
	calls int    // the admitted organization's calls served so far
}

// AdmitOnce returns a context under which in-process calls (Call) cost
// their organization one request per callsPerToken calls. The first call
// needs a token as any request does (refused, it admits nothing); the
// page is then admitted, and its later calls take their tokens even from
// an empty bucket, so an admitted page renders whole instead of failing
// half read: the organization's next requests wait for what it took. The
// tenant portal serves each page or form under one (through Admit), so a
// page that reads every endpoint's attempt log never takes its backend's
// whole burst, and a tenant reloading it cannot read faster than its
// limit pays for.
// Requests from outside never carry it: only Call's requests are honoured.
func AdmitOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, admissionKey{}, &admission{})
}

// Admit charges org one request of its rate limit for a request served on
// its behalf outside the API, such as a tenant portal page or form, which
// may make no API call at all: without it such requests cost nothing, and
// a tenant could send them without end on the api function's concurrency,
// which all tenants share. It returns the context (AdmitOnce) under which
// that request's in-process calls share the charge: the first ten cost
// nothing more, then one request per ten as under AdmitOnce. Over the
// limit it takes nothing and returns the API's own 429 rate_limited as a
// *CallError with its RetryAfter. api must be the handler NewHandler
// made; another (a test's stand-in) has no limit to charge.
func Admit(ctx context.Context, api http.Handler, org string) (context.Context, error) {
	page := AdmitOnce(ctx)
	s, ok := api.(*server)
	if !ok {
		return page, nil
	}
	if wait := s.limit.wait(org, s.d.Now()); wait > 0 {
		e, secs := rateLimited(wait, s.limit.perSecond)
		return page, &CallError{Status: e.Status, Code: e.Code, Message: e.Message, RetryAfter: secs}
	}
	// Admitted with no call served yet: the token taken pays the first ten.
	page.Value(admissionKey{}).(*admission).org = org
	return page, nil
}

// admit is how long org must wait before r is served (0: serve it now),
// taking a token unless r is an in-process call whose admission already
// paid for org's calls so far.
func (s *server) admit(r *http.Request, org string, now time.Time) time.Duration {
	a, ok := r.Context().Value(admissionKey{}).(*admission)
	if _, inProcess := r.Context().Value(inProcessKey{}).(auth.Principal); !ok || !inProcess {
		return s.limit.wait(org, now)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch a.org {
	case "":
		wait := s.limit.wait(org, now)
		if wait == 0 {
			a.org, a.calls = org, 1
		}
		return wait
	case org:
		// calls is 0 after Admit, whose token pays calls 1 to 10 as the
		// first call's does under AdmitOnce alone.
		if a.calls > 0 && a.calls%callsPerToken == 0 {
			s.limit.charge(org, now)
		}
		a.calls++
		return 0
	default: // another organization's call: a request of its own
		return s.limit.wait(org, now)
	}
}
