// Package awsclient builds the SDK configuration of the local emulators:
// fixed dummy credentials and a fixed region (the Lambdas build theirs in
// shared/app, the operator commands in cmd/hookrelay).
package awsclient

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
)

// Local returns an SDK config for the emulators: static credentials so
// nothing reads ~/.aws, a fixed region matching goaws's ARNs, and an HTTP
// client that hands the transport request bodies the SDK cannot close
// under it (see package ownbody).
func Local(ctx context.Context, region string) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRegion(region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")),
	)
	if err != nil {
		return cfg, err
	}
	cfg.HTTPClient = ownbody.Wrap(cfg.HTTPClient)
	return cfg, nil
}
