package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/verify"
)

// Data of the events the tests publish: valid against the catalog, and
// with characters ("&", "<", non-ASCII) that an HTML-escaping or
// re-encoding step anywhere in the pipeline would change.
var (
	clickData = json.RawMessage(`{"email":"jane.smith@example.com","contact_id":"ct_8f2k1","message_id":"msg_01hx9k2m4p","campaign_id":"cmp_spring","url":"https://shop.example.com/spring?utm_source=email&utm_medium=e2e","link_id":"lnk_3","occurred_at":"2026-11-23T10:02:13Z","user_agent":"Mozilla/5.0 <e2e> Zoë","ip_address":"198.51.100.23"}`)
	openData  = json.RawMessage(`{"email":"jane.smith@example.com","contact_id":"ct_8f2k1","message_id":"msg_01hx9k2m4p","campaign_id":"cmp_spring","subject":"Spring & more: 20% off","occurred_at":"2026-11-23T10:00:00Z","user_agent":"Mozilla/5.0","ip_address":"203.0.113.7"}`)
)

// publishRaw posts the publish body byte for byte (json.Marshal would
// HTML-escape the data and hide an escaping bug in the pipeline).
func (tn *tenant) publishRaw(eventName string, data json.RawMessage) string {
	tn.t.Helper()
	body := `{"event_name":"` + eventName + `","data":` + string(data) + `}`
	req, err := http.NewRequest(http.MethodPost, tn.s.API+"/api/v1/events", strings.NewReader(body))
	if err != nil {
		tn.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tn.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tn.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusAccepted {
		tn.t.Fatalf("publish %s: status %d", eventName, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || !ids.Valid(ids.EventPrefix, out.ID) {
		tn.t.Fatalf("publish %s: id %q (%v)", eventName, out.ID, err)
	}
	return out.ID
}

// envelope is the exact body the README ("The envelope and its signatures") specifies.
func envelope(id, eventName, org string, ts int64, data json.RawMessage) string {
	return fmt.Sprintf(`{"id":%q,"event_name":%q,"organization_id":%q,"timestamp":%d,"data":%s}`, id, eventName, org, ts, data)
}

// decodeEnvelope parses a delivered body as the envelope contract.
func decodeEnvelope(t *testing.T, body []byte) message.Envelope {
	t.Helper()
	var e message.Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body is not JSON: %s", body)
	}
	return e
}

var deliveryIDPattern = regexp.MustCompile(`^dlv_[0-9a-f]{32}$`)

// checkRequest asserts the request headers of the contract and both
// signatures, with the independent verifier and with the verify package.
func checkRequest(t *testing.T, h hit, secret, eventName string) {
	t.Helper()
	want := map[string]string{
		"Content-Type":         "application/json",
		"X-Hookrelay-Event":    eventName,
		"X-Hookrelay-Delivery": h.delivery(),
		"Webhook-Id":           h.delivery(),
	}
	for k, v := range want {
		if got := h.header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if !deliveryIDPattern.MatchString(h.delivery()) {
		t.Errorf("X-Hookrelay-Delivery %q is not a delivery id", h.delivery())
	}
	if ua := h.header.Get("User-Agent"); !strings.HasPrefix(ua, "hookrelay/") || len(ua) == len("hookrelay/") {
		t.Errorf("User-Agent %q, want hookrelay/<version>", ua)
	}
	sig := h.header.Get("X-Hookrelay-Signature")
	if !regexp.MustCompile(`^t=\d+,v1=[0-9a-f]{64}$`).MatchString(sig) {
		t.Errorf("X-Hookrelay-Signature %q is not t=<unix>,v1=<hex>", sig)
	}
	if ts := h.header.Get("Webhook-Timestamp"); !strings.HasPrefix(sig, "t="+ts+",") {
		t.Errorf("webhook-timestamp %q differs from %q", ts, sig)
	}
	if ws := h.header.Get("Webhook-Signature"); !regexp.MustCompile(`^v1,[A-Za-z0-9+/]{43}=$`).MatchString(ws) {
		t.Errorf("webhook-signature %q is not v1,<base64>", ws)
	}
	if err := verifyIndependently(secret, h.header, h.body, h.at); err != nil {
		t.Errorf("independent verification: %v", err)
	}
	if err := verify.Verify(secret, h.header, h.body, "Hookrelay", h.at); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// waitOutcome waits until the webhook's attempt log has an attempt with
// the outcome for the delivery ("" matches any delivery).
func (tn *tenant) waitOutcome(webhookID, deliveryID, outcome string, within time.Duration) []deliverylog.Attempt {
	tn.t.Helper()
	var log []deliverylog.Attempt
	testenv.WaitFor(tn.t, within, fmt.Sprintf("outcome %s of %s in the attempt log of %s", outcome, deliveryID, webhookID), func() bool {
		log = tn.attempts(webhookID)
		return slices.ContainsFunc(log, func(a deliverylog.Attempt) bool {
			return a.Outcome == outcome && (deliveryID == "" || a.DeliveryID == deliveryID)
		})
	})
	return log
}

// checkNewestFirst asserts the attempt log lists one delivery's attempts
// newest first with the given outcomes (newest first too).
func checkNewestFirst(t *testing.T, log []deliverylog.Attempt, deliveryID string, outcomes ...string) {
	t.Helper()
	var got []string
	for i, a := range log {
		if a.DeliveryID != deliveryID {
			t.Errorf("attempt log entry %d is of delivery %s, want only %s", i, a.DeliveryID, deliveryID)
		}
		got = append(got, fmt.Sprintf("%d:%s", a.Attempt, a.Outcome))
		if i > 0 && a.At.After(log[i-1].At) {
			t.Errorf("attempt log is not newest first: %v after %v", a.At, log[i-1].At)
		}
	}
	var want []string
	for i, o := range outcomes {
		want = append(want, fmt.Sprintf("%d:%s", len(outcomes)-i, o))
	}
	if !slices.Equal(got, want) {
		t.Errorf("attempt log (attempt:outcome, newest first) = %v, want %v", got, want)
	}
}

// checkSpacing asserts consecutive requests are at least a retry step
// apart (SQS visibility has one-second granularity: 250 ms early is
// allowed). How much later is not asserted here: a loaded machine polls
// late, and shared/delivery's tests check the backoff the handler sets.
func checkSpacing(t *testing.T, hits []hit) {
	t.Helper()
	for i := 1; i < len(hits); i++ {
		if gap := hits[i].at.Sub(hits[i-1].at); gap < retryStep-250*time.Millisecond {
			t.Errorf("attempt %d came %s after attempt %d, want at least %s (schedule %s)", i+1, gap.Round(time.Millisecond), i, retryStep, retrySchedule)
		}
	}
}

// checkSameDelivery asserts every request is the same delivery, byte for byte.
func checkSameDelivery(t *testing.T, hits []hit) {
	t.Helper()
	for i, h := range hits[1:] {
		if h.delivery() != hits[0].delivery() {
			t.Errorf("attempt %d has delivery id %s, attempt 1 had %s", i+2, h.delivery(), hits[0].delivery())
		}
		if !bytes.Equal(h.body, hits[0].body) {
			t.Errorf("attempt %d body differs from attempt 1:\n%s\n%s", i+2, h.body, hits[0].body)
		}
	}
}

func TestPublishThroughTheAPIDeliversTheSignedEnvelopeOnceToSubscribersOnly(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a, b := newTenant(t, s, "api_a"), newTenant(t, s, "api_b")
	clicks, opens, everything, otherOrg := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
	wClick := a.createWebhook(clicks.url("/hooks/click"), "emailClick")
	wOpen := a.createWebhook(opens.url("/hooks/open"), "emailOpen")
	wAll := a.createWebhook(everything.url("/hooks/all"), "*")
	wOther := b.createWebhook(otherOrg.url("/hooks/b"), "emailClick", "emailOpen")

	before := time.Now().Unix()
	clickID := a.publishRaw("emailClick", clickData)
	openID := a.publishRaw("emailOpen", openData)
	otherID := b.publishRaw("emailClick", clickData)
	after := time.Now().Unix()

	for _, w := range []struct {
		tn *tenant
		id string
		n  int
	}{{a, wClick.ID, 1}, {a, wOpen.ID, 1}, {a, wAll.ID, 2}, {b, wOther.ID, 1}} {
		testenv.WaitFor(t, patience, "deliveries of "+w.id, func() bool {
			n := 0
			for _, at := range w.tn.attempts(w.id) {
				if at.Outcome == deliverylog.OutcomeDelivered {
					n++
				}
			}
			return n >= w.n
		})
	}
	// Anything delivered twice, or to the wrong endpoint (of either org),
	// was queued before this marker: the endpoints share one delivery queue.
	a.drained("emailClick", clicks, everything)

	// The click endpoint got the click, once: exact envelope, headers, signatures.
	hits := clicks.all()
	if len(hits) != 1 {
		t.Fatalf("click endpoint got %d requests, want exactly 1", len(hits))
	}
	h := hits[0]
	if h.header.Get("X-Hookrelay-Event") != "emailClick" {
		t.Fatalf("click endpoint got %s", h.header.Get("X-Hookrelay-Event"))
	}
	ts := decodeEnvelope(t, h.body).Timestamp
	if ts < before || ts > after {
		t.Errorf("envelope timestamp %d outside the publish window [%d, %d]", ts, before, after)
	}
	if want := envelope(clickID, "emailClick", a.org, ts, clickData); string(h.body) != want {
		t.Errorf("envelope\n got %s\nwant %s", h.body, want)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(h.body, &keys); err != nil || len(keys) != 5 {
		t.Errorf("envelope has %d fields (%v), want id, event_name, organization_id, timestamp, data", len(keys), err)
	}
	checkRequest(t, h, wClick.SigningSecret, "emailClick")
	if err := verify.Verify(wOpen.SigningSecret, h.header, h.body, "Hookrelay", h.at); err == nil {
		t.Error("the click delivery verifies with another webhook's secret")
	}
	log := a.attempts(wClick.ID)
	checkNewestFirst(t, log, h.delivery(), deliverylog.OutcomeDelivered)
	if len(log) == 1 && (log[0].EventID != clickID || log[0].StatusCode != 200 || log[0].EventName != "emailClick") {
		t.Errorf("attempt log entry %+v", log[0])
	}

	// The open endpoint got only the open.
	if hits := opens.all(); len(hits) != 1 || string(hits[0].body) != envelope(openID, "emailOpen", a.org, decodeEnvelope(t, hits[0].body).Timestamp, openData) {
		t.Errorf("open endpoint got %d requests (want exactly the emailOpen %s): %s", len(hits), openID, bodies(hits))
	} else {
		checkRequest(t, hits[0], wOpen.SigningSecret, "emailOpen")
	}

	// The "*" endpoint got both, with its own delivery ids.
	hits = everything.all()
	var gotIDs []string
	for _, h := range hits {
		checkRequest(t, h, wAll.SigningSecret, h.header.Get("X-Hookrelay-Event"))
		gotIDs = append(gotIDs, decodeEnvelope(t, h.body).ID)
		if h.delivery() == clicks.all()[0].delivery() {
			t.Error("two webhooks share a delivery id for the same event")
		}
	}
	slices.Sort(gotIDs)
	if want := []string{clickID, openID}; !slices.Equal(gotIDs, sorted(want)) {
		t.Errorf(`"*" endpoint got events %v, want %v`, gotIDs, sorted(want))
	}

	// The other org's endpoint got only its own org's event.
	hits = otherOrg.all()
	if len(hits) != 1 || decodeEnvelope(t, hits[0].body).ID != otherID {
		t.Errorf("other org's endpoint got %d requests (want only %s): %s", len(hits), otherID, bodies(hits))
	}
	for _, h := range hits {
		if !bytes.Contains(h.body, []byte(`"organization_id":"`+b.org+`"`)) {
			t.Errorf("other org's endpoint got %s", h.body)
		}
	}
	// Org A cannot see org B's webhook.
	if status, _ := a.call(http.MethodGet, "/api/v1/organization/webhooks/"+wOther.ID, nil); status != http.StatusNotFound {
		t.Errorf("another org's webhook: status %d, want 404", status)
	}
}

func bodies(hits []hit) string {
	var b strings.Builder
	for _, h := range hits {
		b.Write(h.body)
		b.WriteByte('\n')
	}
	return b.String()
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestPublishThroughTheBus puts EventBridge-shaped events on the ingest
// queue as a producer's PutEvents lands them (devbus.NewLocal writes what the
// bus rule's SQS target writes): one carrying a hookrelay event id under
// hookrelay's own source (as the API puts them), one carrying a producer
// idempotency key, put twice.
func TestPublishThroughTheBus(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "bus")
	r1, r2, clicksOnly := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
	w1 := a.createWebhook(r1.url("/one"), "emailOpen")
	w2 := a.createWebhook(r2.url("/two"), "emailOpen", "emailClick")
	w3 := a.createWebhook(clicksOnly.url("/clicks"), "emailClick")

	producer := devbus.NewLocal(s.SQS, s.State.IngestQueueURL)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	ctx := context.Background()
	withID := ids.New(ids.EventPrefix)
	if err := producer.Put(ctx, []bus.Event{{OrgID: a.org, EventName: "emailOpen", EventID: withID, Data: openData, Time: at, Source: bus.DefaultSource}}); err != nil {
		t.Fatal(err)
	}
	keyed := bus.Event{OrgID: a.org, EventName: "emailOpen", EventID: "order-42", Data: openData, Time: at, Source: "com.example.email"}
	for range 2 { // a producer retrying its PutEvents with the same key
		if err := producer.Put(ctx, []bus.Event{keyed}); err != nil {
			t.Fatal(err)
		}
	}

	r1.waitHits(t, 2, patience)
	r2.waitHits(t, 2, patience)
	// The marker takes the same queue, after the repeated put: a repeat
	// that was not deduplicated would have reached the endpoints first. It
	// carries its event id as the API's events do, so the endpoints' bodies
	// name it.
	a.awaitMarker(func() string {
		id := ids.New(ids.EventPrefix)
		if err := producer.Put(ctx, []bus.Event{{OrgID: a.org, EventName: "emailOpen", EventID: id, Data: markerData("emailOpen"), Time: at, Source: bus.DefaultSource}}); err != nil {
			t.Fatal(err)
		}
		return id
	}, r1, r2)

	derived := regexp.MustCompile(`^evt_[0-9a-f]{32}$`)
	for _, rc := range []struct {
		r      *receiver
		secret string
	}{{r1, w1.SigningSecret}, {r2, w2.SigningSecret}} {
		hits := rc.r.all()
		if len(hits) != 2 {
			t.Fatalf("endpoint got %d requests, want 2 (the keyed event deduplicated): %s", len(hits), bodies(hits))
		}
		var sawWithID, sawKeyed bool
		for _, h := range hits {
			checkRequest(t, h, rc.secret, "emailOpen")
			id := decodeEnvelope(t, h.body).ID
			if want := envelope(id, "emailOpen", a.org, at.Unix(), openData); string(h.body) != want {
				t.Errorf("envelope\n got %s\nwant %s", h.body, want)
			}
			switch {
			case id == withID:
				sawWithID = true
			case derived.MatchString(id):
				sawKeyed = true
			default:
				t.Errorf("unexpected event id %s", id)
			}
		}
		if !sawWithID || !sawKeyed {
			t.Errorf("endpoint saw the event with id: %v, the keyed event: %v", sawWithID, sawKeyed)
		}
	}
	if eventIDs(t, r1.all()) != eventIDs(t, r2.all()) {
		t.Errorf("the two endpoints got different event ids: %s vs %s", eventIDs(t, r1.all()), eventIDs(t, r2.all()))
	}
	if n := clicksOnly.count(); n != 0 {
		t.Errorf("emailClick endpoint got %d emailOpen deliveries", n)
	}
	if log := a.attempts(w3.ID); len(log) != 0 {
		t.Errorf("emailClick endpoint has %d attempts", len(log))
	}
}

func eventIDs(t *testing.T, hits []hit) string {
	var out []string
	for _, h := range hits {
		out = append(out, decodeEnvelope(t, h.body).ID)
	}
	return strings.Join(sorted(out), ",")
}

func TestFailingTwiceThenSucceedingIsDeliveredOnTheThirdAttempt(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "retry")
	r := newReceiver(t, sequence(status(500), status(503), status(200)))
	w := a.createWebhook(r.url("/flaky"), "emailClick")
	id := a.publishRaw("emailClick", clickData)

	hits := r.waitHits(t, 3, patience)
	a.waitOutcome(w.ID, hits[0].delivery(), deliverylog.OutcomeDelivered, patience) // final: no more attempts
	a.drained("emailClick", r)
	if hits = r.all(); len(hits) != 3 {
		t.Fatalf("endpoint got %d requests, want 3", len(hits))
	}
	checkSameDelivery(t, hits)
	checkSpacing(t, hits)
	for _, h := range hits {
		checkRequest(t, h, w.SigningSecret, "emailClick")
	}
	if got := decodeEnvelope(t, hits[0].body).ID; got != id {
		t.Errorf("event id %s, want %s", got, id)
	}
	log := a.attempts(w.ID)
	checkNewestFirst(t, log, hits[0].delivery(), deliverylog.OutcomeDelivered, deliverylog.OutcomeRetrying, deliverylog.OutcomeRetrying)
	if len(log) == 3 && (log[0].StatusCode != 200 || log[1].StatusCode != 503 || log[2].StatusCode != 500) {
		t.Errorf("attempt statuses %d, %d, %d; want 200, 503, 500", log[0].StatusCode, log[1].StatusCode, log[2].StatusCode)
	}
	if got := s.dlq.forWebhook(w.ID); len(got) != 0 {
		t.Errorf("delivered delivery also in the DLQ: %+v", got)
	}
}

// waitDeadLetter waits for the webhook's one dead letter.
func waitDeadLetter(t *testing.T, s *stack, webhookID string) dlqEntry {
	t.Helper()
	testenv.WaitFor(t, patience, "a dead letter of "+webhookID, func() bool { return len(s.dlq.forWebhook(webhookID)) > 0 })
	return s.dlq.forWebhook(webhookID)[0]
}

func checkDeadLetter(t *testing.T, e dlqEntry, tn *tenant, w createdWebhook, deliveryID, reason string, attempts, lastStatus int) {
	t.Helper()
	want := map[string]string{
		message.AttrReason:     reason,
		message.AttrAttempts:   strconv.Itoa(attempts),
		message.AttrLastStatus: strconv.Itoa(lastStatus),
		message.AttrOrgID:      tn.org,
		message.AttrWebhookID:  w.ID,
		message.AttrEventName:  "emailClick",
	}
	for k, v := range want {
		if e.Attrs[k] != v {
			t.Errorf("dead letter attribute %s = %q, want %q (all: %v)", k, e.Attrs[k], v, e.Attrs)
		}
	}
	for _, k := range []string{message.AttrFirstAttempt, message.AttrLastAttempt} {
		if _, err := time.Parse(time.RFC3339, e.Attrs[k]); err != nil {
			t.Errorf("dead letter attribute %s = %q: %v", k, e.Attrs[k], err)
		}
	}
	if e.Delivery.DeliveryID != deliveryID {
		t.Errorf("dead letter body is delivery %q, want %s", e.Delivery.DeliveryID, deliveryID)
	}
}

func TestAlwaysFailingIsDeadLetteredAfterFourAttempts(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "dlq500")
	r := newReceiver(t, sequence(status(500)))
	w := a.createWebhook(r.url("/down"), "emailClick")
	a.publishRaw("emailClick", clickData)

	e := waitDeadLetter(t, s, w.ID)
	a.waitOutcome(w.ID, e.Delivery.DeliveryID, deliverylog.OutcomeDeadLettered, patience) // final: no fifth attempt
	a.drained("emailClick", r)
	hits := r.all()
	if len(hits) != 4 {
		t.Fatalf("endpoint got %d requests, want exactly 4 (1 + %s)", len(hits), retrySchedule)
	}
	checkSameDelivery(t, hits)
	checkSpacing(t, hits)
	checkDeadLetter(t, e, a, w, hits[0].delivery(), message.ReasonRetriesExhausted, 4, 500)
	if n := len(s.dlq.forWebhook(w.ID)); n != 1 {
		t.Errorf("%d dead letters, want 1", n)
	}
	checkNewestFirst(t, a.attempts(w.ID), hits[0].delivery(),
		deliverylog.OutcomeDeadLettered, deliverylog.OutcomeRetrying, deliverylog.OutcomeRetrying, deliverylog.OutcomeRetrying)
}

func TestPermanent4xxIsDeadLetteredAfterOneAttempt(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "dlq400")
	r := newReceiver(t, sequence(status(400)))
	w := a.createWebhook(r.url("/bad"), "emailClick")
	a.publishRaw("emailClick", clickData)

	e := waitDeadLetter(t, s, w.ID)
	a.waitOutcome(w.ID, e.Delivery.DeliveryID, deliverylog.OutcomeDeadLettered, patience) // final: no second attempt
	a.drained("emailClick", r)
	hits := r.all()
	if len(hits) != 1 {
		t.Fatalf("endpoint got %d requests, want exactly 1", len(hits))
	}
	checkDeadLetter(t, e, a, w, hits[0].delivery(), message.ReasonPermanentStatus, 1, 400)
	checkNewestFirst(t, a.attempts(w.ID), hits[0].delivery(), deliverylog.OutcomeDeadLettered)
}

func TestGoneRemovesTheWebhookAfterOneAttempt(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "gone")
	r := newReceiver(t, sequence(status(410)))
	keep := newReceiver(t, nil)
	w := a.createWebhook(r.url("/gone"), "emailClick")
	wKeep := a.createWebhook(keep.url("/keep"), "emailClick")
	a.publishRaw("emailClick", clickData)

	r.waitHits(t, 1, patience)
	testenv.WaitFor(t, patience, "the webhook to be removed", func() bool {
		status, _ := a.call(http.MethodGet, "/api/v1/organization/webhooks/"+w.ID, nil)
		return status == http.StatusNotFound
	})
	// Later events reach the other webhook only.
	second := a.publishRaw("emailClick", clickData)
	// No more requests can reach the gone endpoint: the handler removed the
	// webhook in the invocation that consumed its delivery (410 is never
	// retried), and the second event, fanned out after the removal, went
	// through the delivery queue after anything queued for it before.
	testenv.WaitFor(t, patience, "the second event at the kept endpoint", func() bool {
		return strings.Contains(eventIDs(t, keep.all()), second)
	})
	if n := r.count(); n != 1 {
		t.Errorf("gone endpoint got %d requests, want exactly 1", n)
	}
	var list struct {
		Data []createdWebhook `json:"data"`
	}
	a.mustCall(http.MethodGet, "/api/v1/organization/webhooks", nil, http.StatusOK, &list)
	if len(list.Data) != 1 || list.Data[0].ID != wKeep.ID {
		t.Errorf("webhooks after 410: %+v, want only %s", list.Data, wKeep.ID)
	}
	if got := s.dlq.forWebhook(w.ID); len(got) != 0 {
		t.Errorf("410 delivery dead-lettered: %+v", got)
	}
}

func TestHangingLongerThanTheTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "hang")
	// The hang ends when hookrelay gives up on the request, so it can be
	// far longer than the timeout whose effect the test measures.
	r := newReceiver(t, sequence(answer{hang: time.Minute, status: 200}, status(200)))
	w := a.createWebhook(r.url("/slow"), "emailClick")
	a.publishRaw("emailClick", clickData)

	hits := r.waitHits(t, 2, patience)
	log := a.waitOutcome(w.ID, hits[0].delivery(), deliverylog.OutcomeDelivered, patience)
	checkSameDelivery(t, hits[:2])
	checkNewestFirst(t, log, hits[0].delivery(), deliverylog.OutcomeDelivered, deliverylog.OutcomeRetrying)
	if len(log) == 2 {
		if log[1].ErrorClass != "timeout" || log[1].StatusCode != 0 {
			t.Errorf("first attempt recorded as status %d class %q, want a timeout", log[1].StatusCode, log[1].ErrorClass)
		}
		// Well under the hang: the timeout cut the request short (the margin
		// above it is a loaded machine's scheduling delay).
		timeout := s.Config.DeliveryTimeout
		if lat := time.Duration(log[1].LatencyMS) * time.Millisecond; lat < timeout-100*time.Millisecond || lat > timeout+4*time.Second {
			t.Errorf("timed-out attempt took %s, want about the %s delivery timeout", lat, timeout)
		}
	}
}

func TestSendTestEventAndResend(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "resend")
	r := newReceiver(t, nil)
	w := a.createWebhook(r.url("/test"), "emailOpen")

	var sent struct {
		DeliveryID string `json:"delivery_id"`
	}
	a.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+w.ID+"/test", nil, http.StatusAccepted, &sent)
	hits := r.waitHits(t, 1, patience)
	h := hits[0]
	if h.delivery() != sent.DeliveryID {
		t.Errorf("test delivery id %s, API returned %s", h.delivery(), sent.DeliveryID)
	}
	checkRequest(t, h, w.SigningSecret, "webhook.test")
	var env struct {
		EventName string `json:"event_name"`
		OrgID     string `json:"organization_id"`
		Data      struct {
			WebhookID string `json:"webhook_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(h.body, &env); err != nil || env.EventName != "webhook.test" || env.OrgID != a.org || env.Data.WebhookID != w.ID {
		t.Errorf("test event body %s", h.body)
	}
	a.waitOutcome(w.ID, sent.DeliveryID, deliverylog.OutcomeDelivered, patience)

	// Resend re-delivers the same delivery: same id, same bytes.
	a.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+w.ID+"/deliveries/"+sent.DeliveryID+"/resend", nil, http.StatusAccepted, nil)
	hits = r.waitHits(t, 2, patience)
	checkSameDelivery(t, hits)
	checkRequest(t, hits[1], w.SigningSecret, "webhook.test")
	testenv.WaitFor(t, patience, "two delivered attempts", func() bool {
		n := 0
		for _, at := range a.attempts(w.ID) {
			if at.Outcome == deliverylog.OutcomeDelivered && at.DeliveryID == sent.DeliveryID {
				n++
			}
		}
		return n == 2
	})
	// Unknown and other-webhook deliveries are 404.
	if status, _ := a.call(http.MethodPost, "/api/v1/organization/webhooks/"+w.ID+"/deliveries/dlv_00000000000000000000000000000000/resend", nil); status != http.StatusNotFound {
		t.Errorf("resend of an unknown delivery: status %d, want 404", status)
	}
	b := newTenant(t, s, "resend_other")
	if status, _ := b.call(http.MethodPost, "/api/v1/organization/webhooks/"+w.ID+"/deliveries/"+sent.DeliveryID+"/resend", nil); status != http.StatusNotFound {
		t.Errorf("resend by another org: status %d, want 404", status)
	}
	a.drained("emailOpen", r) // a third request (the resend queued twice) would be in by now
	if n := r.count(); n != 2 {
		t.Errorf("endpoint got %d requests, want 2", n)
	}
}
