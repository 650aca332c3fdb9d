package devrun

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/lanes"
)

// Local queue names. goaws keeps queues in memory, so they are recreated
// at every start; CreateQueue with the same attributes is idempotent on
// AWS too.
const (
	IngestQueue   = "hookrelay-ingest"
	IngestDLQ     = "hookrelay-ingest-dlq"
	DeliveryQueue = "hookrelay-delivery" // lane 0; see laneName
	DeliveryDLQ   = "hookrelay-dlq"
	ingestMaxRcv  = 5
	// ingestVisibility covers a fan-out invocation (fanoutTimeout) with room
	// to delete, like the 6× rule AWS recommends for Lambda sources.
	ingestVisibility = 60 * time.Second
)

// queueURLs are the queues of the pipeline.
type queueURLs struct {
	Ingest, IngestDLQ, DLQ string
	Delivery               lanes.Lanes
}

// deliveryVisibility is the delivery queue's visibility timeout: at least
// 6 × the delivery timeout (AWS's rule for a Lambda source, so a batch
// whose POSTs all hang is not redelivered while it still runs). Retries do
// not wait for it: delivery sets each failure's visibility to the schedule.
// SQS counts it in whole seconds, so it is rounded up.
func deliveryVisibility(cfg config.Config) time.Duration {
	return (6*cfg.DeliveryTimeout + time.Second - 1).Truncate(time.Second)
}

// deliverTimeout bounds one deliver invocation, like the Lambda timeout:
// five delivery timeouts, leaving the sixth of the visibility timeout to
// delete the batch before it could be redelivered.
func deliverTimeout(cfg config.Config) time.Duration {
	return 5 * cfg.DeliveryTimeout
}

// fanoutTimeout bounds one fan-out invocation (DynamoDB queries and batch
// sends only, no endpoint traffic).
const fanoutTimeout = 30 * time.Second

func createQueues(ctx context.Context, api *sqs.Client, cfg config.Config) (queueURLs, error) {
	var q queueURLs
	var err error
	if q.IngestDLQ, err = createQueue(ctx, api, IngestDLQ, nil); err != nil {
		return q, err
	}
	if q.DLQ, err = createQueue(ctx, api, DeliveryDLQ, nil); err != nil {
		return q, err
	}
	ingestRedrive, err := redrivePolicy(ctx, api, q.IngestDLQ, ingestMaxRcv)
	if err != nil {
		return q, err
	}
	if q.Ingest, err = createQueue(ctx, api, IngestQueue, map[string]string{
		string(types.QueueAttributeNameVisibilityTimeout): seconds(ingestVisibility),
		string(types.QueueAttributeNameRedrivePolicy):     ingestRedrive,
	}); err != nil {
		return q, err
	}
	deliveryRedrive, err := redrivePolicy(ctx, api, q.DLQ, config.DeliveryMaxReceive(cfg.RetrySchedule))
	if err != nil {
		return q, err
	}
	for i := range lanes.Count {
		u, err := createQueue(ctx, api, laneName(DeliveryQueue, i), map[string]string{
			string(types.QueueAttributeNameVisibilityTimeout): seconds(deliveryVisibility(cfg)),
			string(types.QueueAttributeNameRedrivePolicy):     deliveryRedrive,
		})
		if err != nil {
			return q, err
		}
		q.Delivery = append(q.Delivery, u)
	}
	return q, nil
}

// laneName names delivery lane i's queue or poller: lane 0 keeps base (the
// name before lanes), lane i > 0 adds "-lane<i>".
func laneName(base string, lane int) string {
	if lane == 0 {
		return base
	}
	return base + "-lane" + strconv.Itoa(lane)
}

func createQueue(ctx context.Context, api *sqs.Client, name string, attrs map[string]string) (string, error) {
	out, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return onEndpoint(aws.ToString(out.QueueUrl), aws.ToString(api.Options().BaseEndpoint))
}

// onEndpoint puts a goaws queue URL on goaws's own address. goaws puts
// the region before its host (http://us-east-1.127.0.0.1:PORT/...), a
// name that resolves nowhere, and `hookrelay dlq --dlq-url` sends its
// requests where the URL's host says; goaws finds a queue by the URL's
// last segment alone, so the URL works for every client either way.
func onEndpoint(queueURL, endpoint string) (string, error) {
	u, err := url.Parse(queueURL)
	if err != nil {
		return "", fmt.Errorf("queue URL %q: %w", queueURL, err)
	}
	return strings.TrimSuffix(endpoint, "/") + u.Path, nil
}

// redrivePolicy asks the queue for its ARN rather than building one, so the
// same code is right on goaws and on AWS.
func redrivePolicy(ctx context.Context, api *sqs.Client, dlqURL string, maxReceive int) (string, error) {
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(dlqURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("queue arn of %s: %w", dlqURL, err)
	}
	arn := out.Attributes[string(types.QueueAttributeNameQueueArn)]
	if arn == "" {
		return "", fmt.Errorf("queue %s has no QueueArn attribute", dlqURL)
	}
	b, err := json.Marshal(map[string]string{"deadLetterTargetArn": arn, "maxReceiveCount": strconv.Itoa(maxReceive)})
	return string(b), err
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }
