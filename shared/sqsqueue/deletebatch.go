package sqsqueue

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// DeleteRefused is one message a DeleteMessageBatch call did not delete.
type DeleteRefused struct {
	ReceiptHandle string
	Code, Message string
}

// DeleteBatch removes received messages with one DeleteMessageBatch call
// per 10, as the Lambda event source does after an invocation, and
// returns the entries the queue refused. err is a failed call: none of
// its messages, nor those of later calls, were deleted by it.
func (c *Client) DeleteBatch(ctx context.Context, queueURL string, receiptHandles []string) ([]DeleteRefused, error) {
	var refused []DeleteRefused
	for start := 0; start < len(receiptHandles); start += queue.MaxBatch {
		chunk := receiptHandles[start:min(start+queue.MaxBatch, len(receiptHandles))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(chunk))
		for i, h := range chunk {
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h)}
		}
		out, err := c.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			return refused, err
		}
		for _, f := range out.Failed {
			i, err := strconv.Atoi(aws.ToString(f.Id))
			if err != nil || i < 0 || i >= len(chunk) {
				continue // not an id we sent
			}
			refused = append(refused, DeleteRefused{ReceiptHandle: chunk[i], Code: aws.ToString(f.Code), Message: aws.ToString(f.Message)})
		}
	}
	return refused, nil
}
