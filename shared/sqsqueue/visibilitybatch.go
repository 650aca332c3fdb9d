package sqsqueue

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// ChangeVisibilityBatch sets the visibility timeouts of received messages
// with one ChangeMessageVisibilityBatch call per 10, and returns each
// change's error: nil when it was made, the queue's refusal of that entry
// (a message no longer in flight), or the error of its call. Every call is
// made, whatever the ones before it answered; timeouts are whole seconds,
// rounded as ChangeVisibility rounds them.
func (c *Client) ChangeVisibilityBatch(ctx context.Context, queueURL string, changes []queue.VisibilityChange) []error {
	errs := make([]error, len(changes))
	for start := 0; start < len(changes); start += queue.MaxBatch {
		chunk := changes[start:min(start+queue.MaxBatch, len(changes))]
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(chunk))
		for i, ch := range chunk {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(ch.ReceiptHandle),
				VisibilityTimeout: int32(ch.Timeout.Round(time.Second) / time.Second),
			}
		}
		out, err := c.api.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			for i := range chunk {
				errs[start+i] = err
			}
			continue
		}
		for _, f := range out.Failed {
			if i, err := strconv.Atoi(aws.ToString(f.Id)); err == nil && i >= 0 && i < len(chunk) {
				errs[start+i] = fmt.Errorf("sqs: visibility not changed: %s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
			}
		}
	}
	return errs
}
