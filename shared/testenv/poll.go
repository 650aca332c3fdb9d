package testenv

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// pollInterval is how often WaitFor checks: short next to anything a test
// waits for, long enough not to busy a loaded 2-core machine.
const pollInterval = 50 * time.Millisecond

// WaitFor polls cond until it holds, failing the test if it still does not
// after within. Tests wait for a state this way instead of sleeping: the
// wait ends as soon as the state is reached, and a state never reached is
// a failure rather than a silently passing check.
func WaitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(pollInterval)
	}
}

// QueueDepth counts every message on a goaws queue: visible, in flight
// and delayed. Zero means nothing is left to come back. goaws (unlike AWS)
// counts them all in ApproximateNumberOfMessages; its NotVisible repeats
// the in-flight ones, so adding it would count those twice.
// TestQueueDepthCountsInFlightMessagesOnce pins this.
func QueueDepth(ctx context.Context, api *sqs.Client, url string) (int, error) {
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
}
