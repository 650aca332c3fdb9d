package awsclient

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
)

// lateWriteConn returns from each Write only after a pause, as a busy
// machine's transport write loop may: the server has the bytes and answers
// while the client still thinks it is writing the request.
type lateWriteConn struct{ net.Conn }

func (c lateWriteConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	time.Sleep(50 * time.Millisecond)
	return n, err
}

// TestLocalAnswerBeforeWriteReturns is the e2e chaos test's late fan-out
// batches in miniature. The SDK closes a request's body as soon as the
// response headers arrive; net/http's write loop, still finishing that
// request, then reads the closed body (which answers io.EOF), counts that as
// a write error and closes the connection under the response being read.
// The SDK retries, and the ReceiveMessage whose answer was lost has hidden
// its messages for the visibility timeout. The emulator client must never
// lose an answer that way.
func TestLocalAnswerBeforeWriteReturns(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		// Ten messages, more than net/http buffers: streamed in two parts.
		var msgs []string
		for i := range 10 {
			msgs = append(msgs, fmt.Sprintf(`{"MessageId":"m%d","ReceiptHandle":"r%d","Body":%q}`, i, i, strings.Repeat("x", 1000)))
		}
		body := `{"Messages":[` + strings.Join(msgs, ",") + `]}`
		io.WriteString(w, body[:len(body)/2])
		w.(http.Flusher).Flush()
		time.Sleep(200 * time.Millisecond)
		io.WriteString(w, body[len(body)/2:])
	}))
	defer srv.Close()

	cfg, err := Local(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	dial := (&net.Dialer{}).DialContext
	transport := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return lateWriteConn{c}, nil
		}
	})
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.HTTPClient = ownbody.Wrap(transport)
	})

	out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(srv.URL + "/000000000000/q"), MaxNumberOfMessages: 10,
	})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if n := requests.Load(); n != 1 || len(out.Messages) != 10 {
		t.Fatalf("%d ReceiveMessage requests reached the server and %d messages came back, want 1 and 10: "+
			"an answer was lost and its messages hidden", n, len(out.Messages))
	}
}

func TestLocalWrapsTheHTTPClient(t *testing.T) {
	cfg, err := Local(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.HTTPClient.(ownbody.Client); !ok {
		t.Fatalf("Local's HTTP client is %T, want ownbody.Client", cfg.HTTPClient)
	}
}

// A shell set up for a real account changes nothing for the emulators: a
// profile that ~/.aws does not hold used to fail every emulator-backed test,
// and its region or credentials must not be used either.
func TestLocalIgnoresTheEnvironmentsAWSSettings(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_PROFILE", "no-such-profile")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_REGION", "eu-west-3")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREALACCOUNT")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "real")
	cfg, err := Local(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || cfg.Region != "us-east-1" || creds.AccessKeyID != "local" {
		t.Fatalf("region %q, access key %q, %v; want us-east-1 and the static local key", cfg.Region, creds.AccessKeyID, err)
	}
}
