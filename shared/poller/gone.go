package poller

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// alreadyGone reports a delete of a message that is no longer on the queue.
// A handler may delete a message itself and still report it as done (the
// delivery handler does after dead-lettering); Lambda then deletes it
// again, which AWS accepts silently. goaws answers 404 ("the specified
// queue does not contain the message"): not worth a warning.
func alreadyGone(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}
