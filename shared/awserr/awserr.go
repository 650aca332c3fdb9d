// Package awserr reads the AWS SDK's errors, with no dependency beyond smithy
// (the adapters import it, and a Lambda binary links what they import).
package awserr

import (
	"errors"

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
