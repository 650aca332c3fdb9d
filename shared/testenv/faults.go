package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
)

// Fault decides the fate of one SDK call to a real emulator: return an
// error to fail it unsent (before the SDK's retries, so it is never
// retried), or run call (the real call) and return its error, possibly
// acting before or after it: cancel a context, panic like a killed process.
type Fault func(ctx context.Context, input any, call func() error) error

// FaultyDynamoClient is a client for a real emulator at endpoint whose
// calls first pass through fault: a non-nil error fails that call before
// it is sent. Tests use it to fail one step of a multi-call operation that
// no emulator can be made to fail on its own.
func FaultyDynamoClient(t testing.TB, endpoint string, fault func(input any) error) *dynamodb.Client {
	return FaultyDynamo(t, endpoint, func(_ context.Context, in any, call func() error) error {
		if err := fault(in); err != nil {
			return err
		}
		return call()
	})
}

// FaultyDynamo is a DynamoDB client whose every call goes through fault.
func FaultyDynamo(t testing.TB, endpoint string, fault Fault) *dynamodb.Client {
	return dynamodb.NewFromConfig(AWSConfig(t), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.APIOptions = append(o.APIOptions, inject(fault))
	})
}

// FaultySQS is an SQS client whose every call goes through fault.
func FaultySQS(t testing.TB, endpoint string, fault Fault) *sqs.Client {
	return sqs.NewFromConfig(AWSConfig(t), func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.APIOptions = append(o.APIOptions, inject(fault))
	})
}

func inject(fault Fault) func(*middleware.Stack) error {
	m := middleware.InitializeMiddlewareFunc("testenv.fault",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (out middleware.InitializeOutput, md middleware.Metadata, err error) {
			if ferr := fault(ctx, in.Parameters, func() error {
				out, md, err = next.HandleInitialize(ctx, in)
				return err
			}); ferr != nil {
				return middleware.InitializeOutput{}, md, ferr
			}
			return out, md, err
		})
	return func(s *middleware.Stack) error { return s.Initialize.Add(m, middleware.Before) }
}
