package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/hookrelay/hookrelay/shared/lanes"
)

// checkQueuesOf refuses a DLQ that is not one and lanes that are not its
// delivery lanes. A DLQ dead-letters nowhere; a delivery lane dead-letters
// to it (its RedrivePolicy's deadLetterTargetArn is the DLQ's QueueArn).
// Anything else given as a lane, the ingest queue next to it in the
// stack's outputs, the DLQ itself, another stack's lane, would take the
// redriven letters where neither the tenants' recover nor the dlq
// commands reach them; a lane given as the DLQ would have its live
// deliveries hidden by a listing and deleted by a purge. Asked once per queue, before anything is received or sent.
func checkQueuesOf(ctx context.Context, api *sqs.Client, dlqOf, lanesOf setting) error {
	dlqARN, elsewhere, err := queueARNAndTarget(ctx, api, dlqOf.value)
	switch {
	case err != nil:
		return fmt.Errorf("read the attributes of %s %q: %w", dlqOf.from, dlqOf.value, err)
	case elsewhere != "":
		return fmt.Errorf("%s %q is not a DLQ: its RedrivePolicy sends to %s", dlqOf.from, dlqOf.value, elsewhere)
	case dlqARN == "" && lanesOf.value != "":
		return errors.New("SQS gave no QueueArn for the DLQ: cannot tell its delivery lanes")
	}
	for _, lane := range lanes.Parse(lanesOf.value) {
		arn, target, err := queueARNAndTarget(ctx, api, lane)
		if err != nil {
			return fmt.Errorf("read the attributes of %s %q: %w", lanesOf.from, lane, err)
		}
		switch {
		case arn == dlqARN:
			return fmt.Errorf("%s %q is the DLQ itself, not a delivery lane of it", lanesOf.from, lane)
		case target == "":
			return fmt.Errorf("%s %q is not a delivery lane of this DLQ: it has no RedrivePolicy", lanesOf.from, lane)
		case target != dlqARN:
			return fmt.Errorf("%s %q is not a delivery lane of this DLQ: its RedrivePolicy sends to %s, not to the DLQ (%s)", lanesOf.from, lane, target, dlqARN)
		}
	}
	return nil
}

// queueARNAndTarget is a queue's ARN and its RedrivePolicy's
// deadLetterTargetArn (empty without one).
func queueARNAndTarget(ctx context.Context, api *sqs.Client, url string) (arn, deadLetterTarget string, err error) {
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn, types.QueueAttributeNameRedrivePolicy},
	})
	if err != nil {
		return "", "", err
	}
	policy := out.Attributes[string(types.QueueAttributeNameRedrivePolicy)]
	if policy == "" {
		return out.Attributes[string(types.QueueAttributeNameQueueArn)], "", nil
	}
	// maxReceiveCount is a number on AWS, a string on goaws: not read.
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if err := json.Unmarshal([]byte(policy), &p); err != nil {
		return "", "", fmt.Errorf("its RedrivePolicy is not JSON: %w", err)
	}
	return out.Attributes[string(types.QueueAttributeNameQueueArn)], p.DeadLetterTargetArn, nil
}
