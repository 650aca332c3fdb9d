// Package awserr reads the AWS SDK's errors, with no dependency beyond smithy
// (the adapters import it, and a Lambda binary links what they import).
package awserr

import (
	"errors"
	"net"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Unsent reports whether a call failed before its request left this
// process (no credentials, no region, a bad endpoint): AWS neither answered
// it (an API error, or a response that could not be read) nor lost it in
// transit. Such a call did nothing on AWS's side.
func Unsent(err error) bool {
	var apiErr smithy.APIError
	var sendErr *smithyhttp.RequestSendError
	var readErr *smithy.DeserializationError
	return err != nil && !errors.As(err, &apiErr) && !errors.As(err, &sendErr) && !errors.As(err, &readErr)
}

// NotConnected reports whether a call failed before any connection to its
// endpoint opened: the endpoint's name did not resolve, or the dial failed
// (refused, unreachable). The SDK reports these as a RequestSendError, as
// it does a send cut off in transit, but this request never went out: AWS
// saw nothing, so nothing can have happened on its side.
func NotConnected(err error) bool {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	return errors.As(err, &dnsErr) || errors.As(err, &opErr) && opErr.Op == "dial"
}
