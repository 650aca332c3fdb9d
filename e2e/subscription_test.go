package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// README "Changes reach deliveries within 10 s", events included: a retry
// that comes after the webhook dropped its event type (and after the
// deliver function's 10 s webhook cache) is not POSTed but skipped as
// unsubscribed, and a resend of it is refused.
func TestADroppedEventTypeIsNeitherRetriedNorResent(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "unsubscribed")
	// The first answer (429, the status whose Retry-After deliver honours)
	// asks for the retry in 30 s, well past the cache: the retry reads the
	// webhook as the PATCH left it, which lands within a few seconds of the
	// first attempt even on a stalled machine.
	r := newReceiver(t, sequence(answer{status: http.StatusTooManyRequests, retryAfter: "30"}, status(http.StatusOK)))
	w := a.createWebhook(r.url("/dropped"), "emailClick")
	a.publishRaw("emailClick", clickData)
	dlv := r.waitHits(t, 1, patience)[0].delivery()
	a.waitOutcome(w.ID, dlv, deliverylog.OutcomeRetrying, patience)
	a.mustCall(http.MethodPatch, "/api/v1/organization/webhooks/"+w.ID, map[string]any{"event_types": []string{"emailOpen"}}, http.StatusOK, nil)

	log := a.waitOutcome(w.ID, dlv, deliverylog.OutcomeSkipped, patience)
	checkNewestFirst(t, log, dlv, deliverylog.OutcomeSkipped, deliverylog.OutcomeRetrying)
	if log[0].ErrorClass != "unsubscribed" {
		t.Errorf("the retry's entry has error class %q, want unsubscribed", log[0].ErrorClass)
	}
	status, body := a.call(http.MethodPost, "/api/v1/organization/webhooks/"+w.ID+"/deliveries/"+dlv+"/resend", nil)
	if status != http.StatusConflict || !strings.Contains(string(body), `"not_subscribed"`) || !strings.Contains(string(body), "emailClick") {
		t.Errorf("resend of a dropped event type: %d %s, want 409 not_subscribed naming emailClick", status, body)
	}
	a.drained("emailOpen", r) // a POST the skip or the resend let through would be in by now
	if n := r.count(); n != 1 {
		t.Errorf("endpoint got %d requests, want 1 (the first attempt)", n)
	}
}
