package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// FaultyDynamoClient is a client for a real emulator at endpoint whose
// calls first pass through fault: a non-nil error fails that call before
// it is sent (and before the SDK's retries, so it is never retried). Tests
// use it to fail one step of a multi-call operation that no emulator can
// be made to fail on its own.
func FaultyDynamoClient(t testing.TB, endpoint string, fault func(input any) error) *dynamodb.Client {
	inject := middleware.InitializeMiddlewareFunc("testenv.fault",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if err := fault(in.Parameters); err != nil {
				return middleware.InitializeOutput{}, middleware.Metadata{}, err
			}
			return next.HandleInitialize(ctx, in)
		})
	return dynamodb.NewFromConfig(AWSConfig(t), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(inject, middleware.Before)
		})
	})
}
