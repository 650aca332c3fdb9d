// Package awsclient builds the SDK configuration once for every adapter:
// the standard credential chain in AWS, fixed dummy credentials and a
// loopback endpoint for the local emulators.
package awsclient

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
)

// Load returns the SDK config for AWS (standard chain, region from the
// environment). No custom http.Client is passed: the SDK applies settings
// such as AWS_CA_BUNDLE (a corporate proxy's CA) only to its own client.
func Load(ctx context.Context) (aws.Config, error) {
	return awsconfig.LoadDefaultConfig(ctx)
}

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
