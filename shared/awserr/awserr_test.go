package awserr

import (
	"errors"
	"fmt"
	"net"
	"testing"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// A send the SDK could not start (no name, no connection) is told from one
// cut off after it went out; only the first is NotConnected. The errors are
// built here: a test resolves no name outside loopback.
func TestNotConnected(t *testing.T) {
	send := func(err error) error {
		return fmt.Errorf("operation error SQS: ReceiveMessage: %w", &smithyhttp.RequestSendError{Err: err})
	}
	dns := &net.DNSError{Err: "no such host", Name: "sqs.example.invalid", IsNotFound: true}
	for name, c := range map[string]struct {
		err  error
		want bool
	}{
		"name not resolved":  {send(&net.OpError{Op: "dial", Net: "tcp", Err: dns}), true},
		"connection refused": {send(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}), true},
		"cut off in reading": {send(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}), false},
		"closed connection":  {send(errors.New("use of closed network connection")), false},
		"no error":           {nil, false},
	} {
		if got := NotConnected(c.err); got != c.want {
			t.Errorf("%s: NotConnected = %v, want %v", name, got, c.want)
		}
	}
}
