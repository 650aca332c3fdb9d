package fanout

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// deadLetterQueue keeps the dead letters sent.
type deadLetterQueue struct {
	mu   sync.Mutex
	sent []queue.Message
}

func (q *deadLetterQueue) SendBatch(context.Context, string, []queue.Message) (int, error) {
	return 1, nil
}

func (q *deadLetterQueue) Send(_ context.Context, _ string, m queue.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sent = append(q.sent, m)
	return nil
}

// An operator sorts the ingest DLQ by reason: a wrongly typed field is
// the rule of that field broken, and last_error says what is wrong.
func TestDeadLetterReasonsNameWhatIsWrong(t *testing.T) {
	for _, c := range []struct{ detail, reason, lastError string }{
		{`{"organization_id":42,"data":{}}`, ReasonInvalidOrg, "detail.organization_id must be a string, not a number"},
		{`{"organization_id":{"id":"org_a"},"data":{}}`, ReasonInvalidOrg, "detail.organization_id must be a string, not an object"},
		{`{"organization_id":"org_a","data":{},"id":12345}`, ReasonInvalidProducerID, "detail.id must be a string, not a number"},
		{`{"organization_id":"org_a","data":{},"id":true}`, ReasonInvalidProducerID, "detail.id must be a string, not a boolean"},
	} {
		q := &deadLetterQueue{}
		h := NewHandler(Deps{Webhooks: pagedStore{pages: []int{1}}, Queue: q, KnownEvent: func(string) bool { return true },
			DeliveryQueues: lanes.Lanes{"delivery"}, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		body := `{"version":"0","id":"u1","detail-type":"emailClick","source":"com.example","account":"1","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":` + c.detail + `}`
		if resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: body}}}); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("%s: %v %v", c.detail, resp, err)
		}
		if len(q.sent) != 1 {
			t.Fatalf("%s: %d dead letters", c.detail, len(q.sent))
		}
		attrs := q.sent[0].Attributes
		if attrs[message.AttrReason] != c.reason || !strings.Contains(attrs[message.AttrLastError], c.lastError) {
			t.Errorf("%s: reason %s, last_error %q; want %s with %q", c.detail, attrs[message.AttrReason], attrs[message.AttrLastError], c.reason, c.lastError)
		}
	}
}

// A record too deep to decode is event_too_deep; last_error blames data
// only when data is the deep part, not for a deep key the contract ignores.
func TestTooDeepBlamesDataOnlyWhenDataIsDeep(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, c := range []struct{ detail, want, wantNot string }{
		{`{"organization_id":"org_a","data":{"n":1},"trace":` + deep(10000) + `}`, "is nested 10002 levels deep", "its data is deeper"},
		{`{"organization_id":"org_a","data":` + deep(9999) + `}`, "its data is deeper than the limit of 9998", "within"},
	} {
		q := &deadLetterQueue{}
		h := NewHandler(Deps{Webhooks: pagedStore{pages: []int{1}}, Queue: q, KnownEvent: func(string) bool { return true },
			DeliveryQueues: lanes.Lanes{"delivery"}, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		body := `{"version":"0","id":"u1","detail-type":"emailClick","source":"com.example","account":"1","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":` + c.detail + `}`
		if resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: body}}}); err != nil || len(resp.BatchItemFailures) != 0 || len(q.sent) != 1 {
			t.Fatalf("%.60s: %v %v, %d dead letters", c.detail, resp, err, len(q.sent))
		}
		attrs := q.sent[0].Attributes
		if last := attrs[message.AttrLastError]; attrs[message.AttrReason] != ReasonTooDeep || !strings.Contains(last, c.want) || strings.Contains(last, c.wantNot) {
			t.Errorf("%.60s: reason %s, last_error %q; want event_too_deep saying %q, not %q", c.detail, attrs[message.AttrReason], last, c.want, c.wantNot)
		}
	}
}
