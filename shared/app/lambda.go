package app

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
	"github.com/hookrelay/hookrelay/shared/config"
)

// LambdaEnv reads what every Lambda starts from: the configuration, the AWS
// SDK config and a JSON logger, which the function's log group ingests as
// structured fields.
//
// The SDK config is built from the variables the Lambda runtime sets
// (AWS_REGION and the execution role's credentials) rather than with
// config.LoadDefaultConfig: the full credential chain links STS, SSO and
// IMDS clients a Lambda never uses, and the deliver binary must stay small.
func LambdaEnv() (config.Config, aws.Config, *slog.Logger, error) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.Load()
	if err != nil {
		return config.Config{}, aws.Config{}, log, fmt.Errorf("configuration: %w", err)
	}
	awsCfg, err := lambdaAWSConfig(os.Getenv)
	return cfg, awsCfg, log, err
}

func lambdaAWSConfig(getenv func(string) string) (aws.Config, error) {
	region, key, secret := getenv("AWS_REGION"), getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || key == "" || secret == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set (the Lambda runtime sets them)")
	}
	return aws.Config{
		// The same client as the emulators get: a retried call whose answer
		// was cut off could count an attempt twice (see package ownbody).
		HTTPClient:  ownbody.Wrap(awshttp.NewBuildableClient()),
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))),
	}, nil
}

// Fatal logs a cold-start failure and exits: Lambda reports the init error.
func Fatal(log *slog.Logger, err error) {
	log.Error("cold start failed", "error", err)
	os.Exit(1)
}
