package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// HookrelayStackProps configures the stack. AssetDir holds one folder per
// function with its `bootstrap` binary (`bin` in the app, a temp dir in
// tests, so infra tests never depend on `make build`).
type HookrelayStackProps struct {
	awscdk.StackProps
	AssetDir string
	Settings Settings
}

// hookrelay carries the constructs between the files that build them.
type hookrelay struct {
	stack    awscdk.Stack
	settings Settings
	removal  awscdk.RemovalPolicy

	table                awsdynamodb.Table
	bus                  awsevents.EventBus
	ingestRule           awsevents.Rule // the bus's one rule: every event to the ingest queue
	ingest, ingestDLQ    awssqs.Queue
	delivery             []awssqs.Queue // the lanes: lane i is delivery[i]
	dlq                  awssqs.Queue
	api, fanout, deliver awslambda.Function
	secretsKey           awskms.Key // the envelope store's key; nil with Secrets Manager alone
	httpAPI              awsapigatewayv2.HttpApi
	accessLogs           awslogs.LogGroup // the API stage's access log
	stage                awsapigatewayv2.HttpStage
	// secretRoles and publicRoutes carry their nag suppressions (nag.go).
	secretRoles  []awsiam.Role
	publicRoutes []awsapigatewayv2.HttpRoute
	cookieRoutes []awsapigatewayv2.HttpRoute // the portal's pages
	defaultRoute awsapigatewayv2.HttpRoute   // $default: whatever no other route matches
}

// NewHookrelayStack builds the whole service. Settings must be valid
// (SettingsFromContext validates); invalid ones panic with the reason,
// as CDK constructors do.
func NewHookrelayStack(scope constructs.Construct, id string, props *HookrelayStackProps) awscdk.Stack {
	if err := props.Settings.Validate(); err != nil {
		panic(fmt.Sprintf("hookrelay: invalid settings: %v", err))
	}
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	h := &hookrelay{stack: stack, settings: props.Settings, removal: removalPolicy(props.Settings)}
	if props.Settings.JWTIssuer == PlaceholderIssuer {
		// Synth must work without an issuer (CI, make synth); a deploy with
		// the placeholder is safe (every token is rejected) but useless.
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("hookrelay:placeholder-issuer"),
			jsii.String("jwtIssuer is not set: the API will reject every token. Deploy with -c jwtIssuer=https://... -c jwtAudience=..."))
	}

	h.addTable()
	h.addSecretsKey()
	h.addQueues()
	h.addBus()
	h.addFunctions(props.AssetDir)
	h.addAPI()
	h.addMonitoring()
	h.addNagSuppressions()
	h.addOutputs()
	return stack
}

func removalPolicy(s Settings) awscdk.RemovalPolicy {
	if s.RemovalPolicy == "destroy" {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

func (h *hookrelay) output(id string, value *string, desc string) {
	awscdk.NewCfnOutput(h.stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(desc)})
}

func (h *hookrelay) addOutputs() {
	h.output("ApiUrl", h.apiURL(), "Base URL of the tenant API (append api/v1/...)")
	h.output("EventBusName", h.bus.EventBusName(), "Producers PutEvents here")
	h.output("EventBusArn", h.bus.EventBusArn(), "Grant producers events:PutEvents on this ARN")
	h.output("DlqUrl", h.dlq.QueueUrl(), "Dead-lettered deliveries (hookrelay dlq ...)")
	h.output("DeliveryQueueUrl", h.deliveryURLs(), "Pending deliveries: the delivery lanes' queue URLs, comma-separated, lane 0 first")
	h.output("IngestQueueUrl", h.ingest.QueueUrl(), "Events waiting for fan-out")
	h.output("IngestDlqUrl", h.ingestDLQ.QueueUrl(), "Events fan-out could not take (the reason attribute says why)")
	h.output("TableName", h.table.TableName(), "Webhooks, deliveries and attempt log")
	h.output("SecretStore", jsii.String(h.settings.SecretStore), "Where signing secrets live (hookrelay secrets migrate)")
	h.output("SecretPrefix", jsii.String(h.settings.SecretPrefix), "Secrets Manager name prefix of the signing secrets")
	// Their names are generated: the runbook (README, Operations) sends
	// operators to them.
	h.output("ApiLogGroup", h.api.LogGroup().LogGroupName(), "The api function's log group (requests that failed, recovers, admin calls)")
	h.output("FanoutLogGroup", h.fanout.LogGroup().LogGroupName(), "The fanout function's log group (events fanned out, refused, failed)")
	h.output("DeliverLogGroup", h.deliver.LogGroup().LogGroupName(), "The deliver function's log group (delivery attempts, dead letters, disables)")
	h.output("ApiAccessLogGroup", h.accessLogs.LogGroupName(), "The API stage's access log (status, route and latency of each request)")
	if h.secretsKey != nil {
		h.output("SecretsKeyArn", h.secretsKey.KeyArn(), "KMS key of the envelope secret store (hookrelay secrets migrate)")
	}
}

// apiURL is the API's base URL ending in "/", so ${ApiUrl}api/v1/... works
// on any stage: the $default stage's URL ends in "/", a named stage's in
// "/<stage>".
func (h *hookrelay) apiURL() *string {
	if h.settings.StageName == "$default" {
		return h.stage.Url()
	}
	return awscdk.Fn_Join(jsii.String(""), &[]*string{h.stage.Url(), jsii.String("/")})
}
