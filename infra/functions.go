package main

import (
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/config"
)

// Function folder names under functions/ and the asset dir.
const (
	fnAPI     = "api"
	fnFanout  = "fanout"
	fnDeliver = "deliver"
)

// FunctionEnv lists, per function, the config variables it needs; the stack
// sets exactly these (a test checks them against config.Names()). Dev-only
// knobs (HOOKRELAY_ADDR, HOOKRELAY_ALLOW_LOOPBACK) are never set: a deployed
// function must not accept loopback endpoints.
var FunctionEnv = map[string][]string{
	fnAPI: {
		config.EnvTable, config.EnvEventBus, config.EnvDeliveryQueueURL, config.EnvDLQURL,
		config.EnvSecretPrefix, config.EnvSecretGrace, config.EnvOrgClaim,
		config.EnvOperatorClaim, config.EnvOperatorValue, config.EnvMaxWebhooks,
	},
	fnFanout: {
		config.EnvTable, config.EnvDeliveryQueueURL, config.EnvIngestDLQURL,
	},
	fnDeliver: {
		config.EnvTable, config.EnvDeliveryQueueURL, config.EnvDLQURL, config.EnvSecretPrefix,
		config.EnvRetrySchedule, config.EnvDeliveryTimeout, config.EnvHeaderPrefix, config.EnvAttemptTTL,
	},
}

// envValues maps every config variable to its deployed value; each function
// picks its subset from FunctionEnv.
func (h *hookrelay) envValues() map[string]*string {
	s := h.settings
	return map[string]*string{
		config.EnvTable:            h.table.TableName(),
		config.EnvEventBus:         h.bus.EventBusName(),
		config.EnvDeliveryQueueURL: h.delivery.QueueUrl(),
		config.EnvDLQURL:           h.dlq.QueueUrl(),
		config.EnvIngestQueueURL:   h.ingest.QueueUrl(),
		config.EnvIngestDLQURL:     h.ingestDLQ.QueueUrl(),
		config.EnvSecretPrefix:     jsii.String(s.SecretPrefix),
		config.EnvSecretGrace:      jsii.String(s.SecretGrace.String()),
		config.EnvOrgClaim:         jsii.String(s.OrgClaim),
		config.EnvOperatorClaim:    jsii.String(s.OperatorClaim),
		config.EnvOperatorValue:    jsii.String(s.OperatorValue),
		config.EnvMaxWebhooks:      jsii.String(strconv.Itoa(s.MaxWebhooksPerOrg)),
		config.EnvRetrySchedule:    jsii.String(scheduleString(s.RetrySchedule)),
		config.EnvDeliveryTimeout:  jsii.String(s.DeliveryTimeout.String()),
		config.EnvHeaderPrefix:     jsii.String(s.HeaderPrefix),
		config.EnvAttemptTTL:       jsii.String(s.AttemptTTL.String()),
	}
}

type fnSpec struct {
	name        string
	description string
	memoryMB    int
	timeout     time.Duration
	reserved    int // 0: none
}

// function creates one Lambda with its own role (no managed policies: the
// role can write only to the function's own log group) and an explicit log
// group so retention and removal are ours, not a custom resource's.
func (h *hookrelay) function(assetDir string, spec fnSpec) (awslambda.Function, awsiam.Role) {
	id := map[string]string{fnAPI: "Api", fnFanout: "Fanout", fnDeliver: "Deliver"}[spec.name]
	role := awsiam.NewRole(h.stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("hookrelay " + spec.name + " function"),
	})
	logs := awslogs.NewLogGroup(h.stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: h.removal,
	})
	logs.GrantWrite(role)

	all := h.envValues()
	env := map[string]*string{}
	for _, name := range FunctionEnv[spec.name] {
		if all[name] == nil {
			panic("hookrelay: no deployed value for " + name + " (" + spec.name + ")")
		}
		env[name] = all[name]
	}
	props := &awslambda.FunctionProps{
		Description:  jsii.String(spec.description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(assetDir, spec.name)), nil),
		MemorySize:   jsii.Number(float64(spec.memoryMB)),
		Timeout:      seconds(spec.timeout),
		Role:         role,
		Environment:  &env,
		LogGroup:     logs,
		// JSON logs: the functions log with slog's JSON handler and
		// Logs Insights can filter on level and fields.
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
	}
	if spec.reserved > 0 {
		props.ReservedConcurrentExecutions = jsii.Number(float64(spec.reserved))
	}
	return awslambda.NewFunction(h.stack, jsii.String(id+"Function"), props), role
}

func (h *hookrelay) addFunctions(assetDir string) {
	s := h.settings
	var apiRole, fanoutRole, deliverRole awsiam.Role
	h.api, apiRole = h.function(assetDir, fnSpec{
		name: fnAPI, description: "hookrelay tenant and admin API",
		memoryMB: apiMemoryMB, timeout: apiTimeout,
	})
	h.fanout, fanoutRole = h.function(assetDir, fnSpec{
		name: fnFanout, description: "hookrelay fan-out: event -> one delivery message per subscribed webhook",
		memoryMB: fanoutMemoryMB, timeout: fanoutTimeout, reserved: s.FanoutReservedConcurrency,
	})
	h.deliver, deliverRole = h.function(assetDir, fnSpec{
		name: fnDeliver, description: "hookrelay delivery: signed POSTs with retries",
		memoryMB: deliverMemoryMB, timeout: deliverTimeout(s),
	})

	fanoutSource := &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(sqsBatchSize),
		ReportBatchItemFailures: jsii.Bool(true),
	}
	if s.FanoutReservedConcurrency > 0 {
		// Pollers never invoke beyond the reservation, so messages are not
		// throttled back to the queue (and towards the DLQ).
		fanoutSource.MaxConcurrency = jsii.Number(float64(s.FanoutReservedConcurrency))
	}
	h.fanout.AddEventSource(awslambdaeventsources.NewSqsEventSource(h.ingest, fanoutSource))
	h.deliver.AddEventSource(awslambdaeventsources.NewSqsEventSource(h.delivery, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(sqsBatchSize),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(float64(s.DeliverMaxConcurrency)),
	}))

	h.grantAPI(apiRole)
	h.grantFanout(fanoutRole)
	h.grantDeliver(deliverRole)
}

// secretsArn scopes Secrets Manager to "<prefix>/*" in this account and
// region; the trailing * also covers the random suffix AWS appends.
func (h *hookrelay) secretsArn() *string {
	return h.stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("secretsmanager"),
		Resource:     jsii.String("secret"),
		ResourceName: jsii.String(h.settings.SecretPrefix + "/*"),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}

func (h *hookrelay) allowSecrets(role awsiam.Role, actions ...string) {
	h.secretRoles = append(h.secretRoles, role)
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WebhookSecrets"),
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(*h.secretsArn()),
	}))
}

// grantAPI: CRUD on webhooks and their secrets, publish over HTTP onto the
// bus, resend/test onto the delivery queue, and operator DLQ
// list/inspect/redrive/purge. Purge deletes the selected messages one by one
// (shared/dlq), so sqs:PurgeQueue is not granted.
func (h *hookrelay) grantAPI(role awsiam.Role) {
	h.table.GrantReadWriteData(role)
	h.allowSecrets(role,
		"secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
		"secretsmanager:DeleteSecret", "secretsmanager:TagResource")
	h.bus.GrantPutEventsTo(role, nil)
	h.delivery.GrantSendMessages(role)
	h.dlq.GrantConsumeMessages(role)
	h.dlq.GrantSendMessages(role)
}

// grantFanout: read subscriptions, claim the producer-idempotency key (a
// conditional PutItem, then GetItem for the owner: dynamo.IdempotencyStore
// Claim; producers that PutEvents directly are only deduplicated here),
// enqueue deliveries, dead-letter poison events. The event source mapping grants consuming the ingest queue.
func (h *hookrelay) grantFanout(role awsiam.Role) {
	h.table.GrantReadData(role)
	h.table.Grant(role, jsii.String("dynamodb:PutItem"))
	h.delivery.GrantSendMessages(role)
	h.ingestDLQ.GrantSendMessages(role)
}

// grantDeliver: delivery records and attempt log (and removing a webhook on
// 410), visibility changes for backoff (consume grants), re-enqueue, dead-
// letter, and read (or, on 410, delete) the webhook's secret.
func (h *hookrelay) grantDeliver(role awsiam.Role) {
	h.table.GrantReadWriteData(role)
	h.delivery.GrantConsumeMessages(role)
	h.delivery.GrantSendMessages(role)
	h.dlq.GrantSendMessages(role)
	h.allowSecrets(role, "secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret")
}
