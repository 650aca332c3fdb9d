package delivery

import (
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// receiptMargin is taken off SQS's 12 h visibility limit, which counts
// from the receive: it covers the time between the event source's handing
// a batch over and the handler's first look at the message, and clock
// differences. The batching window before that the handler takes off its
// start (config.DeliverBatchWindow).
const receiptMargin = 5 * time.Minute

// budget is what SQS can honour for a message's next retry.
type budget struct {
	// maxDelay is the longest visibility timeout SQS accepts now, from this receipt.
	maxDelay time.Duration
	// left is the time until the message's retries would outlive
	// config.RetryBudget, counted from when it was sent.
	left time.Duration
}

// newBudget is the budget at now of a message received at received and
// first sent at sent.
func newBudget(received, sent, now time.Time) budget {
	return budget{
		maxDelay: config.MaxVisibility - now.Sub(received) - receiptMargin,
		left:     sent.Add(config.RetryBudget).Sub(now),
	}
}

// sentAt is the earliest evidence of when the message was sent: SQS's
// SentTimestamp, and the delivery's first attempt (which a resend or
// redrive clears when it sends a new message). goaws reports the receive
// time as SentTimestamp, so locally the first attempt is what counts.
func sentAt(m events.SQSMessage, rec deliverylog.DeliveryRecord, now time.Time) time.Time {
	sent := now
	if ms, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64); err == nil && time.UnixMilli(ms).Before(sent) {
		sent = time.UnixMilli(ms)
	}
	if !rec.FirstAttemptAt.IsZero() && rec.FirstAttemptAt.Before(sent) {
		sent = rec.FirstAttemptAt
	}
	return sent
}
