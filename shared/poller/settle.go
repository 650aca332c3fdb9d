package poller

import (
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// errUnknownItem is returned by settle when the response names a message
// that was not in the batch (or names none at all).
var errUnknownItem = errors.New("batch item failure names no message of the batch")

// settle decides which messages of a finished invocation are deleted,
// following the Lambda SQS event source mapping with ReportBatchItemFailures:
//   - the handler failed (error or panic): delete nothing; the whole batch
//     reappears after its visibility timeout;
//   - an itemIdentifier that is empty or not in the batch: the response is
//     untrustworthy, so Lambda treats it as a whole-batch failure too;
//   - otherwise: delete every message not listed as failed.
func settle(batch []events.SQSMessage, resp events.SQSEventResponse, handlerErr error) ([]events.SQSMessage, error) {
	if handlerErr != nil {
		return nil, handlerErr
	}
	failed := make(map[string]bool, len(resp.BatchItemFailures))
	inBatch := make(map[string]bool, len(batch))
	for _, m := range batch {
		inBatch[m.MessageId] = true
	}
	for _, f := range resp.BatchItemFailures {
		if !inBatch[f.ItemIdentifier] {
			return nil, fmt.Errorf("%w: %q", errUnknownItem, f.ItemIdentifier)
		}
		failed[f.ItemIdentifier] = true
	}
	done := make([]events.SQSMessage, 0, len(batch)-len(failed))
	for _, m := range batch {
		if !failed[m.MessageId] {
			done = append(done, m)
		}
	}
	return done, nil
}
