// Package awsclient builds the SDK configuration of the local emulators:
// fixed dummy credentials and a fixed region (the Lambdas build theirs in
// shared/app, the operator commands in cmd/hookrelay).
package awsclient

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
)

// Local returns an SDK config for the emulators: static credentials, a
// fixed region matching goaws's ARNs, and an HTTP client that hands the
// transport request bodies the SDK cannot close under it (see package
// ownbody). It is built, not loaded: nothing of the environment's AWS
// settings (AWS_PROFILE, ~/.aws, AWS_ENDPOINT_URL, retry settings) reaches
// a local stack, so a developer's shell set up for a real account neither
// breaks it (a profile ~/.aws does not hold failed every test) nor
// points it elsewhere.
func Local(_ context.Context, region string) (aws.Config, error) {
	return aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("local", "local", "")),
		HTTPClient:  ownbody.Wrap(awshttp.NewBuildableClient()),
	}, nil
}
