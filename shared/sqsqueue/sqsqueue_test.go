package sqsqueue

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestSendBatchReceiveDeleteOnGoaws(t *testing.T) {
	api := testenv.SQSClient(t, testenv.Goaws(t))
	q := New(api)
	url := testenv.Queue(t, api, "batch", map[string]string{"VisibilityTimeout": "30"})
	ctx := context.Background()

	var msgs []queue.Message
	for i := 0; i < 23; i++ {
		msgs = append(msgs, queue.Message{Body: fmt.Sprintf("m%d", i), Attributes: map[string]string{"n": fmt.Sprint(i), "empty": ""}})
	}
	calls, err := q.SendBatch(ctx, url, msgs)
	if err != nil || calls != 3 {
		t.Fatalf("SendBatch: calls=%d err=%v, want 3 calls", calls, err)
	}
	seen := map[string]bool{}
	for len(seen) < 23 {
		got, err := q.Receive(ctx, url, 10, time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Fatalf("queue drained early: %d of 23", len(seen))
		}
		for _, m := range got {
			if queue.AttributesOf(m)["n"] == "" || m.Body != "m"+queue.AttributesOf(m)["n"] {
				t.Fatalf("attributes not carried: %+v", m)
			}
			seen[m.Body] = true
			if err := q.Delete(ctx, url, m.ReceiptHandle); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestChangeVisibilityHidesThenReleases(t *testing.T) {
	api := testenv.SQSClient(t, testenv.Goaws(t))
	q := New(api)
	url := testenv.Queue(t, api, "vis", map[string]string{"VisibilityTimeout": "30"})
	ctx := context.Background()
	if err := q.Send(ctx, url, queue.Message{Body: "x"}); err != nil {
		t.Fatal(err)
	}
	got, err := q.Receive(ctx, url, 1, time.Second, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("receive: %v %d", err, len(got))
	}
	// Hidden for longer than any stall of a loaded machine, then released
	// soon: "still hidden" is never a race against a short timeout.
	if err := q.ChangeVisibility(ctx, url, got[0].ReceiptHandle, time.Minute); err != nil {
		t.Fatal(err)
	}
	if again, _ := q.Receive(ctx, url, 1, 0, 0); len(again) != 0 {
		t.Fatal("message visible before its visibility timeout ended")
	}
	if err := q.ChangeVisibility(ctx, url, got[0].ReceiptHandle, time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(6 * time.Second)
	for time.Now().Before(deadline) {
		if again, _ := q.Receive(ctx, url, 1, time.Second, 0); len(again) == 1 {
			return
		}
	}
	t.Fatal("message never became visible again")
}

// ReceiveOnce tells a receive whose answer never arrived (the queue may
// have hidden messages) from one SQS refused.
func TestReceiveOnceMarksLostAnswers(t *testing.T) {
	ctx := context.Background()
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer cut.Close()
	_, err := New(testenv.SQSClient(t, cut.URL)).ReceiveOnce(ctx, cut.URL+"/100010001000/q", 1, 0, 0)
	if !errors.Is(err, queue.ErrLost) {
		t.Fatalf("connection closed before an answer: err = %v, want queue.ErrLost", err)
	}

	endpoint := testenv.Goaws(t)
	_, err = New(testenv.SQSClient(t, endpoint)).ReceiveOnce(ctx, endpoint+"/100010001000/missing", 1, 0, 0)
	if err == nil || errors.Is(err, queue.ErrLost) {
		t.Fatalf("receive from a missing queue: err = %v, want SQS's refusal, not ErrLost", err)
	}

	// Without credentials nothing is sent, so nothing was hidden: the
	// caller gets the real cause at once instead of waiting a loss out.
	var sent atomic.Bool
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Store(true) }))
	defer counting.Close()
	noCreds := sqs.NewFromConfig(testenv.AWSConfig(t), func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(counting.URL)
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no credentials configured")
		})
	})
	_, err = New(noCreds).ReceiveOnce(ctx, counting.URL+"/100010001000/q", 1, 0, 0)
	if err == nil || errors.Is(err, queue.ErrLost) || !strings.Contains(err.Error(), "no credentials configured") || sent.Load() {
		t.Fatalf("receive without credentials: err = %v (request sent: %v), want the credentials error, not ErrLost", err, sent.Load())
	}

	// No connection opened (the endpoint is down: a closed loopback port):
	// the request never went out, so it hid nothing either.
	closed := closedPort(t)
	_, err = New(testenv.SQSClient(t, closed)).ReceiveOnce(ctx, closed+"/100010001000/q", 1, 0, 0)
	if err == nil || errors.Is(err, queue.ErrLost) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("receive from a closed port: err = %v, want the refused connection, not ErrLost", err)
	}
}

// closedPort is the URL of a loopback port nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}
