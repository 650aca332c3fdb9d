// Package sqsqueue is hookrelay's one adapter for SQS. Handlers depend on
// the small interfaces their packages declare over queue.Message; this
// type satisfies them.
// It speaks the JSON protocol, which both AWS and goaws v0.5.4 answer.
package sqsqueue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/hookrelay/hookrelay/shared/awserr"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/wait"
)

// Client wraps the SDK client.
type Client struct {
	api *sqs.Client
	// Retries of a batch's failed entries before giving up.
	Retries int
	Backoff time.Duration
}

// New returns a Client over an SDK client.
func New(api *sqs.Client) *Client {
	return &Client{api: api, Retries: 3, Backoff: 100 * time.Millisecond}
}

// API exposes the SDK client for the few callers that need raw calls
// (queue creation in dev and tests).
func (c *Client) API() *sqs.Client { return c.api }

// Send puts one message on a queue.
func (c *Client) Send(ctx context.Context, queueURL string, m queue.Message) error {
	_, err := c.api.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:          aws.String(queueURL),
		MessageBody:       aws.String(m.Body),
		MessageAttributes: toAttributes(m.Attributes),
		DelaySeconds:      int32(m.Delay / time.Second),
		MessageGroupId:    group(m.Group),
	})
	return err
}

// SendBatch sends msgs in calls of at most 10, retrying only the entries a
// call reports as failed. goaws leaves Successful empty, so success is read
// as "not listed in Failed". Calls reports how many SendMessageBatch calls
// were made (for fan-out's cost accounting).
func (c *Client) SendBatch(ctx context.Context, queueURL string, msgs []queue.Message) (calls int, err error) {
	for start := 0; start < len(msgs); start += queue.MaxBatch {
		chunk := msgs[start:min(start+queue.MaxBatch, len(msgs))]
		n, err := c.sendChunk(ctx, queueURL, chunk)
		calls += n
		if err != nil {
			return calls, err
		}
	}
	return calls, nil
}

func (c *Client) sendChunk(ctx context.Context, queueURL string, chunk []queue.Message) (int, error) {
	pending := make(map[string]queue.Message, len(chunk))
	for i, m := range chunk {
		pending[strconv.Itoa(i)] = m
	}
	calls := 0
	for try := 0; ; try++ {
		entries := make([]types.SendMessageBatchRequestEntry, 0, len(pending))
		for id, m := range pending {
			entries = append(entries, types.SendMessageBatchRequestEntry{
				Id:                aws.String(id),
				MessageBody:       aws.String(m.Body),
				MessageAttributes: toAttributes(m.Attributes),
				DelaySeconds:      int32(m.Delay / time.Second),
				MessageGroupId:    group(m.Group),
			})
		}
		calls++
		out, err := c.api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			return calls, err
		}
		failed := make(map[string]queue.Message, len(out.Failed))
		var last string
		for _, f := range out.Failed {
			id := aws.ToString(f.Id)
			if m, ok := pending[id]; ok {
				failed[id] = m
				last = fmt.Sprintf("%s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
			}
		}
		if len(failed) == 0 {
			return calls, nil
		}
		if try >= c.Retries {
			return calls, fmt.Errorf("sqs: %d of %d messages not sent after %d tries (last: %s)", len(failed), len(chunk), try+1, last)
		}
		pending = failed
		if err := wait.Sleep(ctx, c.Backoff<<try); err != nil {
			return calls, err
		}
	}
}

// ChangeVisibility makes a received message visible again after d.
func (c *Client) ChangeVisibility(ctx context.Context, queueURL, receiptHandle string, d time.Duration) error {
	_, err := c.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(receiptHandle),
		VisibilityTimeout: int32(d.Round(time.Second) / time.Second),
	})
	return err
}

// Delete removes a received message.
func (c *Client) Delete(ctx context.Context, queueURL, receiptHandle string) error {
	_, err := c.api.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(receiptHandle)})
	return err
}

// Receive long-polls up to max messages (≤ 10) and returns them in the
// shape the Lambda SQS event source delivers, so local pollers can hand
// them to the same handlers. visibility 0 keeps the queue's default.
func (c *Client) Receive(ctx context.Context, queueURL string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error) {
	return c.receive(ctx, queueURL, max, wait, visibility)
}

// ReceiveOnce is Receive without the SDK's retries. A receive whose
// response is cut off ("use of closed network connection" after a 200; see
// package awsclient/ownbody for the client-side cause we work around) has
// already made its messages invisible; a silent retry returns other messages, so the first ones stay
// hidden for their visibility timeout. Callers that must see every message
// (the DLQ listing) take the error instead and wait that timeout out: an
// request that went out and got no readable answer wraps queue.ErrLost. A
// request that never went out (no credentials, a bad endpoint, no
// connection) hid nothing: its error is returned as it is, at once.
func (c *Client) ReceiveOnce(ctx context.Context, queueURL string, max int, wait, visibility time.Duration) ([]events.SQSMessage, error) {
	msgs, err := c.receive(ctx, queueURL, max, wait, visibility, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	if err != nil && ctx.Err() == nil && sentUnanswered(err) {
		return nil, fmt.Errorf("%w: %w", queue.ErrLost, err)
	}
	return msgs, err
}

// sentUnanswered reports whether a call reached the wire and its answer
// did not come back readable: the send failed in transit, or the response
// was cut off before it could be read. SQS's own refusals (an API error
// code) are answers; a dial that failed (connection refused, a name that
// does not resolve) sent nothing.
func sentUnanswered(err error) bool {
	var apiErr smithy.APIError
	return !awserr.Unsent(err) && !awserr.NotConnected(err) && !errors.As(err, &apiErr)
}

func (c *Client) receive(ctx context.Context, queueURL string, max int, wait, visibility time.Duration, optFns ...func(*sqs.Options)) ([]events.SQSMessage, error) {
	in := &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(queueURL),
		MaxNumberOfMessages:         int32(min(max, queue.MaxBatch)),
		WaitTimeSeconds:             int32(wait / time.Second),
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	}
	if visibility > 0 {
		in.VisibilityTimeout = int32(visibility / time.Second)
	}
	out, err := c.api.ReceiveMessage(ctx, in, optFns...)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, ctx.Err()
		}
		return nil, err
	}
	msgs := make([]events.SQSMessage, 0, len(out.Messages))
	for _, m := range out.Messages {
		msgs = append(msgs, toLambdaMessage(m, queueURL))
	}
	return msgs, nil
}

func toLambdaMessage(m types.Message, queueURL string) events.SQSMessage {
	attrs := make(map[string]events.SQSMessageAttribute, len(m.MessageAttributes))
	for k, v := range m.MessageAttributes {
		attrs[k] = events.SQSMessageAttribute{StringValue: v.StringValue, DataType: aws.ToString(v.DataType)}
	}
	return events.SQSMessage{
		MessageId:         aws.ToString(m.MessageId),
		ReceiptHandle:     aws.ToString(m.ReceiptHandle),
		Body:              aws.ToString(m.Body),
		Attributes:        m.Attributes,
		MessageAttributes: attrs,
		EventSource:       "aws:sqs",
		EventSourceARN:    queueURL,
	}
}

// group is the MessageGroupId of a message: nil (absent) without a group.
func group(g string) *string {
	if g == "" {
		return nil
	}
	return aws.String(g)
}

func toAttributes(in map[string]string) map[string]types.MessageAttributeValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]types.MessageAttributeValue, len(in))
	for k, v := range in {
		if v == "" {
			continue // SQS rejects empty attribute values
		}
		out[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	return out
}
