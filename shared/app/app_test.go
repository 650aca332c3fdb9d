package app

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/hookrelay/hookrelay/shared/awsclient/ownbody"
	"github.com/hookrelay/hookrelay/shared/config"
)

type fakeClient struct{}

// A Lambda deployed without its settings must fail at cold start naming
// every missing one, not panic on the first message.
func TestRequireNamesEveryMissingThing(t *testing.T) {
	var nilClient *fakeClient
	err := Require("deliver", map[string]any{
		"Dynamo": nilClient, "SQS": &fakeClient{}, "Secrets": nil,
		config.EnvTable: "", config.EnvDLQURL: "http://127.0.0.1/q",
	})
	if err == nil {
		t.Fatal("Require accepted missing dependencies")
	}
	for _, want := range []string{"deliver: Dynamo is not set", "deliver: Secrets is not set", "deliver: " + config.EnvTable + " is not set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	for _, present := range []string{"SQS", config.EnvDLQURL} {
		if strings.Contains(err.Error(), present) {
			t.Errorf("error %q names %s, which is set", err, present)
		}
	}
	if err := Require("api", map[string]any{"SQS": &fakeClient{}, "x": "y"}); err != nil {
		t.Fatalf("all present: %v", err)
	}
}

func TestLambdaAWSConfigFromRuntimeVariables(t *testing.T) {
	env := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s3cr3t", "AWS_SESSION_TOKEN": "tok"}
	cfg, err := lambdaAWSConfig(func(k string) string { return env[k] })
	if err != nil || cfg.Region != "eu-west-1" {
		t.Fatalf("config %+v %v", cfg, err)
	}
	if _, ok := cfg.HTTPClient.(ownbody.Client); !ok {
		t.Fatalf("HTTP client %T, want ownbody.Client", cfg.HTTPClient)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "AKID" || creds.SessionToken != "tok" {
		t.Fatalf("credentials %+v %v", creds, err)
	}
	delete(env, "AWS_REGION")
	if _, err := lambdaAWSConfig(func(k string) string { return env[k] }); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("missing region: %v", err)
	}
}

// In a Lambda, a missing table or bus variable fails the cold start: the
// dev defaults ("hookrelay") would aim it at a resource not its own.
func TestLambdaConfigRequiresItsResourceNames(t *testing.T) {
	required := []string{config.EnvTable, config.EnvEventBus}
	for _, env := range []map[string]string{
		{},
		{config.EnvEventBus: "bus-1"},
		{config.EnvTable: "table-1", config.EnvEventBus: "  "},
	} {
		_, err := lambdaConfig(lookupIn(env), required)
		if err == nil {
			t.Fatalf("env %v: accepted without its table or bus", env)
		}
		for _, name := range required {
			if _, set := env[name]; !set || strings.TrimSpace(env[name]) == "" {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("env %v: error %q does not name %s", env, err, name)
				}
			}
		}
	}
	cfg, err := lambdaConfig(lookupIn(map[string]string{config.EnvTable: "table-1", config.EnvEventBus: "bus-1"}), required)
	if err != nil || cfg.Table != "table-1" || cfg.EventBus != "bus-1" {
		t.Fatalf("all set: %+v, %v", cfg, err)
	}
	// Dev keeps its defaults: config itself still fills them.
	if dev, err := config.FromLookup(lookupIn(nil)); err != nil || dev.Table != "hookrelay" || dev.EventBus != "hookrelay" {
		t.Fatalf("dev defaults: %+v, %v", dev, err)
	}
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) { v, ok := env[name]; return v, ok }
}

// The SDK's endpoint variables reach each service client as they would
// through config.LoadDefaultConfig: the service's own first, then the
// general one, else AWS's regional endpoint.
func TestLambdaAWSConfigHonoursEndpointVariables(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x",
		"AWS_ENDPOINT_URL_DYNAMODB":        "http://127.0.0.1:8001",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:8002",
		"AWS_ENDPOINT_URL":                 "http://127.0.0.1:8003",
	} {
		t.Setenv(k, v)
	}
	cfg, err := lambdaAWSConfig(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*string{
		"http://127.0.0.1:8001": dynamodb.NewFromConfig(cfg).Options().BaseEndpoint,
		"http://127.0.0.1:8002": secretsmanager.NewFromConfig(cfg).Options().BaseEndpoint,
		"http://127.0.0.1:8003": sqs.NewFromConfig(cfg).Options().BaseEndpoint,
	} {
		if aws.ToString(got) != name {
			t.Errorf("endpoint %q, want %q", aws.ToString(got), name)
		}
	}
	os.Unsetenv("AWS_ENDPOINT_URL")
	if cfg, err = lambdaAWSConfig(os.Getenv); err != nil {
		t.Fatal(err)
	}
	if got := sqs.NewFromConfig(cfg).Options().BaseEndpoint; got != nil {
		t.Errorf("no variable: endpoint %q, want the SDK's regional endpoint", *got)
	}
}
