package poller

import "github.com/hookrelay/hookrelay/shared/sqsqueue"

// alreadyGone reports a delete of a message that is no longer on the queue.
// A handler may delete a message itself and still report it as done (the
// delivery handler does after dead-lettering); Lambda then deletes it
// again, which AWS accepts silently. goaws refuses the entry as "Message
// not found": not worth a warning.
func alreadyGone(r sqsqueue.DeleteRefused) bool {
	return r.Message == "Message not found"
}
