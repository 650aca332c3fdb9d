package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Stack output names the CDK stack (infra) exports for operator tooling.
const (
	outputDLQURL      = "DlqUrl"
	outputDeliveryURL = "DeliveryQueueUrl"
	outputTable       = "TableName"
)

// stackOutputs reads a deployed stack's outputs, so operators name the
// stack instead of copying queue URLs around.
func stackOutputs(ctx context.Context, api *cloudformation.Client, stack string) (map[string]string, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return nil, fmt.Errorf("describe stack %s: %w%s", stack, err, neverSentHint(err))
	}
	if len(out.Stacks) == 0 {
		return nil, fmt.Errorf("stack %s not found", stack)
	}
	outputs := make(map[string]string)
	for _, o := range out.Stacks[0].Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return outputs, nil
}

// neverSentHint points at the usual cause when a call failed before it
// left this machine: neither AWS answered it (an API error) nor did it
// fail in transit, so the SDK had no credentials or no region.
func neverSentHint(err error) string {
	var apiErr smithy.APIError
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &apiErr) || errors.As(err, &sendErr) {
		return ""
	}
	return " (the request never left: configure AWS credentials and a region, e.g. AWS_PROFILE and AWS_REGION)"
}
