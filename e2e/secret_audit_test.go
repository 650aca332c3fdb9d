package e2e

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/secrets"
)

// The secret audit: every signing secret the API hands out during the
// suite is searched for, in every form it could leak in, in everything a
// stack wrote besides its secrets store: the whole log, every message the
// fan-out and delivery handlers received (ingest and delivery queues),
// every dead letter, what is left on the four queues at the end, and every
// DynamoDB item (attempt log, delivery records, webhooks, claims). It runs
// when each stack stops: per test for the tests' own stacks, from TestMain
// for the shared one.

// createdSecrets is every signing secret handed out in this run.
var createdSecrets secretList

type secretList struct {
	mu   sync.Mutex
	list []string
}

func (l *secretList) add(secret string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, secret)
}

func (l *secretList) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.list...)
}

// secretForms are the strings a leak of secret would contain: the whole
// value, its base64 part (unpadded, so a re-encoding matches too), the raw
// key bytes as they are and as a JSON string escapes them, and the key in
// hex and base64url.
func secretForms(secret string) (map[string]string, error) {
	b64, ok := strings.CutPrefix(secret, secrets.Prefix)
	key, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(key) < 16 {
		return nil, fmt.Errorf("not a signing secret (%d characters)", len(secret))
	}
	escaped, _ := json.Marshal(string(key))
	return map[string]string{
		"whole secret":          secret,
		"base64 part":           strings.TrimRight(b64, "="),
		"raw key bytes":         string(key),
		"raw key, JSON-escaped": strings.Trim(string(escaped), `"`),
		"key as hex":            hex.EncodeToString(key),
		"key as base64url":      base64.RawURLEncoding.EncodeToString(key),
	}, nil
}

// findSecrets returns one line per secret form found in a channel (the
// secret is named by its index, never printed).
func findSecrets(secretList []string, channels map[string][]string) ([]string, error) {
	var leaks []string
	for i, secret := range secretList {
		forms, err := secretForms(secret)
		if err != nil {
			return nil, fmt.Errorf("secret %d: %w", i, err)
		}
		for channel, texts := range channels {
			for _, text := range texts {
				for form, needle := range forms {
					if strings.Contains(text, needle) {
						leaks = append(leaks, fmt.Sprintf("secret %d (%s) in %s", i, form, channel))
					}
				}
			}
		}
	}
	return leaks, nil
}

// queueTap keeps the body and attributes of every message the handlers it
// wraps receive, which is every message of their queue.
type queueTap struct {
	mu    sync.Mutex
	texts []string
}

// wrap puts the tap outside inner (a test's own wrapper, may be nil).
func (q *queueTap) wrap(inner func(queue.Handler) queue.Handler) func(queue.Handler) queue.Handler {
	return func(h queue.Handler) queue.Handler {
		if inner != nil {
			h = inner(h)
		}
		return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			q.record(ev.Records...)
			return h(ctx, ev)
		}
	}
}

func (q *queueTap) record(msgs ...events.SQSMessage) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range msgs {
		attrs, _ := json.Marshal(queue.AttributesOf(m))
		q.texts = append(q.texts, m.Body, string(attrs))
	}
}

func (q *queueTap) all() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.texts...)
}

// auditSecrets searches s; min says how much it must have searched for
// the audit to mean anything (zero for stacks a test barely used).
func (s *stack) auditSecrets(min auditMinimum) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	channels := map[string][]string{
		"the stack log": {s.logs.String()},
		"messages the handlers received (ingest and delivery queues)": s.tap.all(),
	}
	if s.dlq != nil {
		channels["dead letters collected during the run"] = s.dlq.texts()
	}
	queues := map[string]string{"ingest queue": s.State.IngestQueueURL, "ingest DLQ": s.State.IngestDLQURL, "delivery DLQ": s.State.DLQURL}
	for i, u := range lanes.Parse(s.State.DeliveryQueueURL) {
		queues[fmt.Sprintf("delivery lane %d", i)] = u
	}
	for name, url := range queues {
		texts, err := s.peek(ctx, url)
		if err != nil {
			return fmt.Errorf("peek the %s: %w", name, err)
		}
		channels["the "+name+" at the end"] = texts
	}
	items, err := s.tableTexts(ctx)
	if err != nil {
		return err
	}
	channels["DynamoDB items"] = items

	searched := createdSecrets.all()
	if len(searched) < min.secrets || len(channels["messages the handlers received (ingest and delivery queues)"]) < min.messages ||
		len(items) < min.items || s.logs.String() == "" {
		return fmt.Errorf("the audit would be vacuous: %d secrets, %d received messages, %d items, %d log bytes",
			len(searched), len(channels["messages the handlers received (ingest and delivery queues)"]), len(items), len(s.logs.String()))
	}
	leaks, err := findSecrets(searched, channels)
	if err != nil {
		return err
	}
	if len(leaks) > 0 {
		return errors.New("signing secrets leaked:\n" + strings.Join(leaks, "\n"))
	}
	return nil
}

type auditMinimum struct{ secrets, messages, items int }

// peek reads every visible message of a queue with a short visibility and
// makes each visible again at once; it never deletes.
func (s *stack) peek(ctx context.Context, url string) ([]string, error) {
	var texts, receipts []string
	seen := map[string]bool{}
	defer func() {
		for _, r := range receipts {
			_ = s.SQS.ChangeVisibility(context.WithoutCancel(ctx), url, r, 0)
		}
	}()
	for len(seen) < 10000 {
		msgs, err := s.SQS.ReceiveOnce(ctx, url, 10, 0, 30*time.Second)
		if err != nil {
			return nil, err
		}
		fresh := 0
		for _, m := range msgs {
			receipts = append(receipts, m.ReceiptHandle)
			if !seen[m.MessageId] {
				seen[m.MessageId] = true
				fresh++
				attrs, _ := json.Marshal(queue.AttributesOf(m))
				texts = append(texts, m.Body, string(attrs))
			}
		}
		if fresh == 0 {
			return texts, nil
		}
	}
	return texts, nil
}

// tableTexts scans the whole table: one text per item, every string,
// number and binary value in it.
func (s *stack) tableTexts(ctx context.Context) ([]string, error) {
	var texts []string
	p := dynamodb.NewScanPaginator(s.Dynamo, &dynamodb.ScanInput{TableName: aws.String(s.State.Table)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", s.State.Table, err)
		}
		for _, item := range out.Items {
			var b strings.Builder
			for k, v := range item {
				b.WriteString(k + "=")
				writeValue(&b, v)
				b.WriteString("\n")
			}
			texts = append(texts, b.String())
		}
	}
	return texts, nil
}

func writeValue(b *strings.Builder, v types.AttributeValue) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		b.WriteString(v.Value)
	case *types.AttributeValueMemberN:
		b.WriteString(v.Value)
	case *types.AttributeValueMemberB:
		b.Write(v.Value)
	case *types.AttributeValueMemberSS:
		b.WriteString(strings.Join(v.Value, "\n"))
	case *types.AttributeValueMemberNS:
		b.WriteString(strings.Join(v.Value, "\n"))
	case *types.AttributeValueMemberBS:
		for _, x := range v.Value {
			b.Write(x)
			b.WriteString("\n")
		}
	case *types.AttributeValueMemberL:
		for _, x := range v.Value {
			writeValue(b, x)
			b.WriteString("\n")
		}
	case *types.AttributeValueMemberM:
		for k, x := range v.Value {
			b.WriteString(k + "=")
			writeValue(b, x)
			b.WriteString("\n")
		}
	}
}

// texts is every collected dead letter as searchable text.
func (c *dlqCollector) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.entries {
		b, _ := json.Marshal(e)
		out = append(out, string(b))
	}
	return out
}

// The search itself finds each form wherever it is, so a clean audit
// means no leak rather than a blind search.
func TestSecretSearchFindsEveryForm(t *testing.T) {
	secret, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	forms, err := secretForms(secret)
	if err != nil {
		t.Fatal(err)
	}
	for form, needle := range forms {
		leaks, err := findSecrets([]string{secret}, map[string][]string{"a channel": {"before " + needle + " after", "clean"}})
		if err != nil || len(leaks) == 0 || !strings.Contains(strings.Join(leaks, " "), form) {
			t.Errorf("%s planted: found %v (%v)", form, leaks, err)
		}
		if strings.Contains(strings.Join(leaks, " "), secret) {
			t.Error("a leak report repeats the secret")
		}
	}
	other, _ := secrets.Generate()
	if leaks, err := findSecrets([]string{other}, map[string][]string{"a channel": {secret}}); err != nil || len(leaks) != 0 {
		t.Errorf("another secret matched: %v %v", leaks, err)
	}
	if _, err := findSecrets([]string{"not-a-secret"}, nil); err == nil {
		t.Error("a malformed secret was searched for without complaint")
	}
}
