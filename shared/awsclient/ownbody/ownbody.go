// Package ownbody wraps the AWS SDK's HTTP client so the transport owns
// each request body. It has no dependency beyond the SDK core, so the
// Lambdas (which skip config.LoadDefaultConfig) can use it too.
package ownbody

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Wrap works around a race between the SDK and net/http that a
// loopback emulator, answering within microseconds, hits a few times per
// end-to-end chaos run (upstream: aws/aws-sdk-go-v2#2737). The SDK closes a
// request's body as soon as client.Do returns, i.e. when the response
// headers arrive; net/http's write loop may not have finished that request
// yet: after the body it reads once more to check for extra bytes, gets
// io.EOF from the closed body, takes it for a write error and closes the
// connection while the response body is still being read ("failed to
// discard remaining HTTP response body ... use of closed network
// connection"). The SDK then retries the call: a ReceiveMessage whose
// answer was lost has already hidden its messages, which come back only
// after the queue's visibility timeout (fan-out batches of 10, 60 s late).
//
// Request bodies of the JSON APIs used here are small, so the client reads
// each one into memory and gives the transport its own copy.
func Wrap(c aws.HTTPClient) aws.HTTPClient { return Client{c} }

// Client is the wrapping client (Wrap returns one).
type Client struct{ next aws.HTTPClient }

// Do sends req with a body the transport owns.
func (c Client) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.next.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	req.ContentLength = int64(len(b))
	return c.next.Do(req)
}
