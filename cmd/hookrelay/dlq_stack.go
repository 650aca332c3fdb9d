package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/hookrelay/hookrelay/shared/awserr"
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
		return nil, fmt.Errorf("describe stack %s: %w%s", stack, err, unsentHint(err))
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

// unsentHint points at the usual cause of a call that never left this
// machine: the SDK had no credentials or no region.
func unsentHint(err error) string {
	if !awserr.Unsent(err) {
		return ""
	}
	return " (the request never left: configure AWS credentials and a region, e.g. AWS_PROFILE and AWS_REGION)"
}

// inStackRegion looks a stack named by its ARN up in the ARN's region;
// one named by name is looked up in the CLI's (AWS_REGION, the profile's).
func inStackRegion(stack string) func(*cloudformation.Options) {
	return func(o *cloudformation.Options) {
		if a, err := arn.Parse(stack); err == nil && a.Region != "" {
			o.Region = a.Region
		}
	}
}
