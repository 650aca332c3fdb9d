package app

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
	"github.com/hookrelay/hookrelay/shared/config"
)

// LambdaEnv reads what every Lambda starts from: the configuration, the AWS
// SDK config and a JSON logger at the function's application log level,
// which the function's log group ingests as structured fields. required names the variables the function must find
// set: those whose dev default (a table or bus named "hookrelay") would
// otherwise point a deployed function at a resource that is not its own.
//
// The SDK config is built from the variables the Lambda runtime sets
// (AWS_REGION and the execution role's credentials) rather than with
// config.LoadDefaultConfig: the full credential chain links STS, SSO and
// IMDS clients a Lambda never uses, and the deliver binary must stay small.
// The SDK's endpoint variables are honoured all the same (endpoints.go).
func LambdaEnv(required ...string) (config.Config, aws.Config, *slog.Logger, error) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: lambdaLogLevel(os.Getenv)}))
	cfg, err := lambdaConfig(os.LookupEnv, required)
	if err != nil {
		return config.Config{}, aws.Config{}, log, err
	}
	awsCfg, err := lambdaAWSConfig(os.Getenv)
	return cfg, awsCfg, log, err
}

func lambdaConfig(lookup func(string) (string, bool), required []string) (config.Config, error) {
	values := make(map[string]any, len(required))
	for _, name := range required {
		v, _ := lookup(name)
		values[name] = strings.TrimSpace(v)
	}
	if err := Require("configuration", values); err != nil {
		return config.Config{}, fmt.Errorf("%w\n(the stack sets them; there is no default in a Lambda)", err)
	}
	cfg, err := config.FromLookup(lookup)
	if err != nil {
		return config.Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

func lambdaAWSConfig(getenv func(string) string) (aws.Config, error) {
	region, key, secret := getenv("AWS_REGION"), getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || key == "" || secret == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set (the Lambda runtime sets them)")
	}
	return aws.Config{
		// The same client as the emulators get: a retried call whose answer
		// was cut off could count an attempt twice (see package ownbody).
		HTTPClient:    ownbody.Wrap(awshttp.NewBuildableClient()),
		Region:        region,
		Credentials:   aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))),
		BaseEndpoint:  baseEndpoint(getenv("AWS_ENDPOINT_URL")),
		ConfigSources: []any{envEndpoints(getenv)},
	}, nil
}

func baseEndpoint(url string) *string {
	if url == "" {
		return nil
	}
	return aws.String(url)
}

// Fatal logs a cold-start failure and exits: Lambda reports the init error.
func Fatal(log *slog.Logger, err error) {
	log.Error("cold start failed", "error", err)
	os.Exit(1)
}
