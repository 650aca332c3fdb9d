package dlq

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// seed is one dead letter the fixture puts on the DLQ, with what the test
// expects the DLQ tools to make of it.
type seed struct {
	body       string
	deliveryID string // "" for a malformed body
	org        string // "" when neither attributes nor body tell
	webhook    string
	reason     string
	tier       string
	lastAt     time.Time // zero for pipeline poison
	attrs      map[string]string
	// dead is the letter's index item, as deliver writes it before the DLQ
	// send (the endpoint tier only: SQS's own redrive writes none).
	dead *deliverylog.DeadLetter
}

type fixture struct {
	endpoint    string
	q           *sqsqueue.Client
	dlqURL      string
	deliveryURL string
	seeds       []seed
	base        time.Time
	// db, table and idx: the table, made by withIndex; idx, once made,
	// holds the items of the endpoint tier's seeds, and ops uses it.
	db    *dynamodb.Client
	table string
	idx   *dynamo.DeadLetterIndex
}

var fixtureOrgs = []string{"org_a", "org_b", "org_c"}

// newFixture starts goaws with a delivery queue and a DLQ holding n dead
// letters: by i%5 retries_exhausted, permanent_status, blocked_address (the
// endpoint tier, with the delivery Lambda's attributes), a malformed body
// and a valid body without attributes (the pipeline tier, as SQS's own
// redrive leaves them). Orgs rotate by i%3, webhooks by i%2 within an org;
// entry i died i minutes before base.
func newFixture(t testing.TB, n int) *fixture {
	t.Helper()
	endpoint := testenv.Goaws(t)
	api := testenv.SQSClient(t, endpoint)
	f := &fixture{
		endpoint:    endpoint,
		q:           sqsqueue.New(api),
		deliveryURL: testenv.Queue(t, api, "deliveries", map[string]string{"VisibilityTimeout": "30"}),
		dlqURL:      testenv.Queue(t, api, "deliveries-dlq", map[string]string{"VisibilityTimeout": "30"}),
		base:        time.Now().UTC().Truncate(time.Second),
	}
	var msgs []queue.Message
	for i := range n {
		s := makeSeed(t, i, f.base)
		f.seeds = append(f.seeds, s)
		msgs = append(msgs, queue.Message{Body: s.body, Attributes: s.attrs})
	}
	if _, err := f.q.SendBatch(context.Background(), f.dlqURL, msgs); err != nil {
		t.Fatalf("seed DLQ: %v", err)
	}
	return f
}

func makeSeed(t testing.TB, i int, base time.Time) seed {
	org := fixtureOrgs[i%3]
	s := seed{
		deliveryID: fmt.Sprintf("dlv_%03d", i),
		org:        org,
		webhook:    fmt.Sprintf("wh_%s%d", strings.ReplaceAll(org, "_", ""), i%2), // a valid webhook id: wh_orga0
	}
	d := message.Delivery{
		DeliveryID: s.deliveryID, EventID: fmt.Sprintf("evt_%03d", i), OrgID: org, WebhookID: s.webhook,
		EventName: "emailClick", Envelope: fmt.Sprintf(`{"id":"evt_%03d","event_name":"emailClick","organization_id":%q,"timestamp":1745000000,"data":{"n":%d}}`, i, org, i),
	}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	s.body = body
	switch i % 5 {
	case 0, 1, 2:
		s.reason = []string{message.ReasonRetriesExhausted, message.ReasonPermanentStatus, message.ReasonBlockedAddress}[i%5]
		s.tier = TierEndpoint
		s.lastAt = base.Add(-time.Duration(i) * time.Minute)
		s.attrs = map[string]string{
			message.AttrReason: s.reason, message.AttrAttempts: strconv.Itoa(1 + i%4),
			message.AttrLastStatus: []string{"503", "404", ""}[i%5], message.AttrLastError: "endpoint said no",
			message.AttrOrgID: org, message.AttrWebhookID: s.webhook, message.AttrEventName: "emailClick",
			message.AttrFirstAttempt: s.lastAt.Add(-3 * time.Minute).Format(time.RFC3339),
			message.AttrLastAttempt:  s.lastAt.Format(time.RFC3339),
		}
		s.dead = &deliverylog.DeadLetter{OrgID: org, WebhookID: s.webhook, DeliveryID: s.deliveryID, At: s.lastAt, Message: body}
		s.attrs[message.AttrDeadLetterID] = s.dead.ID()
	case 3:
		s = seed{body: fmt.Sprintf(`{"v":1,"garbage":%d`, i), reason: message.ReasonMalformed, tier: TierPipeline}
	case 4:
		s.reason, s.tier = message.ReasonMaxReceive, TierPipeline
	}
	return s
}

// ops returns Ops over the fixture's queues with a recording resetter.
func (f *fixture) ops(reset AttemptResetter) *Ops { return f.opsOver(f.q, reset) }

// opsOver returns Ops over the fixture's queues through q. Receives do not
// long-poll: goaws answers a short poll from the whole queue (AWS samples
// a few servers, hence the default), and every scan ends with an empty
// receive that would otherwise wait out the long poll.
func (f *fixture) opsOver(q Queue, reset AttemptResetter) *Ops {
	o := New(q, f.dlqURL, lanes.Lanes{f.deliveryURL}, reset)
	o.Wait = 0
	if f.idx != nil {
		o.Index = f.idx
	}
	return o
}

// tableOf makes the fixture's table (one dynalite per fixture) once.
func (f *fixture) tableOf(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	if f.db == nil {
		f.db, f.table = testenv.Table(t)
	}
	return f.db, f.table
}

// withIndex writes the index items of the endpoint tier's seeds, as
// deliver did before sending them, and has ops use the index from now on.
func (f *fixture) withIndex(t *testing.T) *dynamo.DeadLetterIndex {
	t.Helper()
	db, table := f.tableOf(t)
	f.idx = dynamo.NewDeadLetterIndex(db, table)
	for _, s := range f.seeds {
		if s.dead != nil {
			if err := f.idx.Add(context.Background(), *s.dead); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f.idx
}

// indexed returns the bodies of the seeds of org's webhook that have an
// index item: what its recover sends back.
func (f *fixture) indexed(org, webhook string) map[string]bool {
	return f.bodies(func(s seed) bool { return s.dead != nil && s.org == org && s.webhook == webhook })
}

// bodies returns the seed bodies pred selects.
func (f *fixture) bodies(pred func(seed) bool) map[string]bool {
	out := map[string]bool{}
	for _, s := range f.seeds {
		if pred(s) {
			out[s.body] = true
		}
	}
	return out
}

// drain receives everything visible on url and returns the bodies, one per
// distinct message id (a body sent twice appears twice). It holds what it
// received, and like scan it waits out a receive whose response was lost
// instead of letting the SDK retry past the hidden messages.
func drain(t *testing.T, q *sqsqueue.Client, url string) []string {
	t.Helper()
	const hold = 5 * time.Second
	seen := map[string]bool{}
	var out []string
	for lost := 0; ; {
		msgs, err := q.ReceiveOnce(context.Background(), url, queue.MaxBatch, 0, hold)
		if err != nil {
			if lost++; lost > 3 {
				t.Fatal(err)
			}
			time.Sleep(hold + time.Second)
			continue
		}
		if len(msgs) == 0 {
			return out
		}
		for _, m := range msgs {
			if !seen[m.MessageId] {
				seen[m.MessageId] = true
				out = append(out, m.Body)
			}
			if err := q.ChangeVisibility(context.Background(), url, m.ReceiptHandle, time.Minute); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// recorder is an AttemptResetter that remembers what it was asked.
type recorder struct {
	mu    sync.Mutex
	reset []string
}

func (r *recorder) ResetAttempts(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reset = append(r.reset, id)
	return nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reset...)
}

func entryBodies(entries []Entry) map[string]int {
	out := map[string]int{}
	for _, e := range entries {
		out[e.Raw]++
	}
	return out
}

// sameSet fails unless got holds each wanted body exactly once and nothing else.
func sameSet(t *testing.T, what string, got map[string]int, want map[string]bool) {
	t.Helper()
	for b, n := range got {
		if n != 1 {
			t.Errorf("%s: %q listed %d times", what, b, n)
		}
		if !want[b] {
			t.Errorf("%s: unexpected %q", what, b)
		}
	}
	for b := range want {
		if got[b] == 0 {
			t.Errorf("%s: missing %q", what, b)
		}
	}
}
