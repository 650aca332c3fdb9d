// Package queue is what the domain knows of a message queue: the message it
// sends and the batch limit it plans for. The SQS adapter (package
// sqsqueue) sends them; received messages arrive as aws-lambda-go's
// events.SQSMessage, the shape the Lambda event source and the local
// poller both deliver.
package queue

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBatch is the SQS limit of entries per batch call.
const MaxBatch = 10

// Message is an outgoing message: a body and string attributes.
type Message struct {
	Body       string
	Attributes map[string]string
	Delay      time.Duration
	// Group is the tenant the message belongs to (SQS MessageGroupId). On
	// a standard queue it makes SQS a fair queue: a tenant with a backlog
	// does not delay the others' messages. Empty: no group.
	Group string
}

// VisibilityChange is one received message's new visibility timeout: 0
// makes it visible again.
type VisibilityChange struct {
	ReceiptHandle string
	Timeout       time.Duration
}

// MaxDelay is SQS's limit on a message's delay (DelaySeconds).
const MaxDelay = 15 * time.Minute

// Pace spreads messages sent one after another at Rate per second by their
// delays: the i-th (from 0) is delayed i/Rate, at most MaxDelay, so past
// 15 minutes' worth the rest are all due at the 15th minute. A zero Pace
// delays nothing. SQS takes whole seconds (DelaySeconds): at 10 per second
// the first 10 are due at once, the next 10 a second later, and so on.
type Pace struct{ Rate int }

// Delay is the delay of the i-th message.
func (p Pace) Delay(i int) time.Duration {
	if p.Rate <= 0 || i <= 0 {
		return 0
	}
	return min(time.Duration(i)*time.Second/time.Duration(p.Rate), MaxDelay)
}

// ErrLost marks a call whose answer was lost in transit: the queue may have
// acted on it (a receive hid its messages). A call the queue refused is not
// ErrLost.
var ErrLost = errors.New("queue: answer lost in transit")

// Handler handles one batch of received messages, with the contract of an
// SQS-triggered Lambda using ReportBatchItemFailures: the Lambdas run it
// under the event source mapping, `hookrelay dev` under its pollers.
type Handler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// AttributesOf flattens a received message's string attributes.
func AttributesOf(m events.SQSMessage) map[string]string {
	out := make(map[string]string, len(m.MessageAttributes))
	for k, v := range m.MessageAttributes {
		if v.StringValue != nil {
			out[k] = *v.StringValue
		}
	}
	return out
}
