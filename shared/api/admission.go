package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/shared/auth"
)

// admissionKey marks a context from AdmitOnce.
type admissionKey struct{}

// admission is one organization's single charge against its rate limit,
// shared by the in-process calls made while serving one page.
type admission struct {
	mu  sync.Mutex
	org string // the organization admitted; "" until a call was served
}

// AdmitOnce returns a context under which in-process calls (Call) count
// as one request against an organization's rate limit, however many are
// made: the first one served takes the token, the others are admitted
// with it. The tenant portal serves each page or form under one, so a page
// that reads every endpoint's attempt log costs the organization one
// request, as a page view should, and never its backend's whole burst.
// Requests from outside never carry it: only Call's requests are honoured.
func AdmitOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, admissionKey{}, &admission{})
}

// admit is how long org must wait before r is served (0: serve it now),
// taking a token unless r is an in-process call whose admission already
// paid for org.
func (s *server) admit(r *http.Request, org string, now time.Time) time.Duration {
	a, ok := r.Context().Value(admissionKey{}).(*admission)
	if _, inProcess := r.Context().Value(inProcessKey{}).(auth.Principal); !ok || !inProcess {
		return s.limit.wait(org, now)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.org == org {
		return 0
	}
	wait := s.limit.wait(org, now)
	if wait == 0 && a.org == "" {
		a.org = org
	}
	return wait
}
