package main

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/permissions"
)

// Function folder names under functions/ and the asset dir.
const (
	fnAPI     = permissions.API
	fnFanout  = permissions.Fanout
	fnDeliver = permissions.Deliver
)

// envNames is the function's variables under the stack's settings.
func (h *hookrelay) envNames(function string) []string {
	if h.secretsKey == nil {
		return permissions.Env[function]
	}
	return append(slices.Clone(permissions.Env[function]), permissions.EnvelopeEnv[function]...)
}

// envValues maps every config variable to its deployed value; each function
// picks its subset from permissions.Env.
func (h *hookrelay) envValues() map[string]*string {
	values := map[string]*string{}
	for name, v := range settingValues(h.settings) {
		values[name] = jsii.String(v)
	}
	for name, ref := range h.resourceValues() {
		values[name] = ref
	}
	return values
}

// resourceValues are the variables naming the stack's resources, resolved
// at deploy time (resourceValueBytes bounds their length).
func (h *hookrelay) resourceValues() map[string]*string {
	values := map[string]*string{
		config.EnvTable:            h.table.TableName(),
		config.EnvEventBus:         h.bus.EventBusName(),
		config.EnvDeliveryQueueURL: h.deliveryURLs(),
		config.EnvDLQURL:           h.dlq.QueueUrl(),
		config.EnvIngestQueueURL:   h.ingest.QueueUrl(),
		config.EnvIngestDLQURL:     h.ingestDLQ.QueueUrl(),
	}
	if h.secretsKey != nil {
		values[config.EnvSecretKey] = h.secretsKey.KeyArn()
	}
	return values
}

// settingValues are the variables the settings give literally.
func settingValues(s Settings) map[string]string {
	return map[string]string{
		config.EnvSecretPrefix:    s.SecretPrefix,
		config.EnvSecretGrace:     s.SecretGrace.String(),
		config.EnvSecretStore:     s.SecretStore,
		config.EnvOrgClaim:        s.OrgClaim,
		config.EnvOperatorClaim:   s.OperatorClaim,
		config.EnvOperatorValue:   s.OperatorValue,
		config.EnvMaxWebhooks:     strconv.Itoa(s.MaxWebhooksPerOrg),
		config.EnvOrgRateLimit:    strconv.Itoa(s.OrgRateLimit),
		config.EnvRetrySchedule:   config.FormatSchedule(s.RetrySchedule),
		config.EnvDeliveryTimeout: s.DeliveryTimeout.String(),
		config.EnvHeaderPrefix:    s.HeaderPrefix,
		config.EnvAttemptTTL:      s.AttemptTTL.String(),
		// "0s", never "": an empty value would mean "unset" (the default).
		config.EnvDisableAfter:       s.DisableAfter.String(),
		config.EnvDisableMinFailures: strconv.Itoa(s.DisableMinFailures),
		config.EnvParkedTTL:          s.ParkedTTL.String(),
		config.EnvDeliverBatchWindow: s.DeliverBatchWindow.String(),
		config.EnvPortalName:         s.Portal.ProductName,
		config.EnvPortalAccent:       s.Portal.AccentColor,
		// "" when unset: shared/config then keeps its default (no logo, no framing).
		config.EnvPortalLogoURL:        s.Portal.LogoURL,
		config.EnvPortalFrameAncestors: strings.Join(s.Portal.FrameAncestors, ","),
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
	for _, name := range h.envNames(spec.name) {
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
		// Logs Insights can filter on level and fields. System logs at
		// WARN: Lambda's START/END/REPORT lines (INFO) would cost more per
		// delivery than the handler's own lines; Lambda's metrics carry
		// the same durations.
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: applicationLogLevels[h.settings.LogLevel],
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
		memoryMB: apiMemoryMB, timeout: apiTimeout, reserved: s.APIReservedConcurrency,
	})
	h.fanout, fanoutRole = h.function(assetDir, fnSpec{
		name: fnFanout, description: "hookrelay fan-out: event -> one delivery message per subscribed webhook",
		memoryMB: fanoutMemoryMB, timeout: fanoutTimeout, reserved: s.FanoutReservedConcurrency,
	})
	h.deliver, deliverRole = h.function(assetDir, fnSpec{
		name: fnDeliver, description: "hookrelay delivery: signed POSTs with retries",
		memoryMB: deliverMemoryMB, timeout: deliverTimeout(s),
	})

	// Plain event source mappings, not SqsEventSource: that one also
	// grants ChangeMessageVisibility and GetQueueUrl, which the poller never
	// uses. The poller's own actions are in shared/permissions.
	fanoutMapping := &awslambda.EventSourceMappingOptions{
		EventSourceArn:          h.ingest.QueueArn(),
		BatchSize:               jsii.Number(sqsBatchSize),
		MaxBatchingWindow:       batchWindow(s.FanoutBatchWindow),
		ReportBatchItemFailures: jsii.Bool(true),
	}
	if s.FanoutReservedConcurrency > 0 {
		// Pollers never invoke beyond the reservation, so messages are not
		// throttled back to the queue (and towards the DLQ).
		fanoutMapping.MaxConcurrency = jsii.Number(float64(s.FanoutReservedConcurrency))
	}
	h.fanout.AddEventSourceMapping(jsii.String("IngestSource"), fanoutMapping)
	// One mapping per lane, each with an equal share of the total: a
	// tenant whose endpoints hang can hold only its own lane's invocations.
	for lane, queue := range h.delivery {
		h.deliver.AddEventSourceMapping(jsii.String(laneID("DeliverySource", lane)), &awslambda.EventSourceMappingOptions{
			EventSourceArn:          queue.QueueArn(),
			BatchSize:               jsii.Number(sqsBatchSize),
			MaxBatchingWindow:       batchWindow(s.DeliverBatchWindow),
			ReportBatchItemFailures: jsii.Bool(true),
			MaxConcurrency:          jsii.Number(float64(laneConcurrency(s))),
		})
	}

	h.grant(apiRole, permissions.API)
	h.grant(fanoutRole, permissions.Fanout)
	h.grant(deliverRole, permissions.Deliver)
}

// batchWindow is the event source's batching window; nil for 0 (none).
func batchWindow(d time.Duration) awscdk.Duration {
	if d <= 0 {
		return nil
	}
	return awscdk.Duration_Seconds(jsii.Number(d.Seconds()))
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

// grant gives a function's role exactly its list in shared/permissions:
// one statement per listed grant, on the resource's ARN, the table's
// grants narrowed to partition-key prefixes and the bus's to the entries
// the code puts where the list says so.
func (h *hookrelay) grant(role awsiam.Role, function string) {
	for _, g := range permissions.Grants(function, h.settings.SecretStore) {
		props := &awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(g.Actions...),
			Resources: h.arns(g.Resource),
		}
		if g.WebhookContext {
			cond := map[string]interface{}(permissions.WebhookContextCondition())
			props.Conditions = &cond
		}
		if g.Puts != nil {
			cond := map[string]interface{}(permissions.PutsCondition(*g.Puts))
			props.Conditions = &cond
		}
		if len(g.LeadingKeys) > 0 {
			patterns := make([]string, len(g.LeadingKeys))
			for i, prefix := range g.LeadingKeys {
				patterns[i] = prefix + "*"
			}
			props.Conditions = &map[string]interface{}{
				"ForAllValues:StringLike": map[string]interface{}{"dynamodb:LeadingKeys": patterns},
			}
		}
		if g.Resource == permissions.Secrets {
			h.secretRoles = append(h.secretRoles, role)
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(props))
	}
}

// arns are the ARNs of a resource the permission lists name: one, except
// the delivery queue, which is every lane's queue.
func (h *hookrelay) arns(r permissions.Resource) *[]*string {
	switch r {
	case permissions.Table:
		return &[]*string{h.table.TableArn()}
	case permissions.Bus:
		return &[]*string{h.bus.EventBusArn()}
	case permissions.IngestQueue:
		return &[]*string{h.ingest.QueueArn()}
	case permissions.IngestDLQ:
		return &[]*string{h.ingestDLQ.QueueArn()}
	case permissions.DeliveryQueue:
		arns := make([]*string, len(h.delivery))
		for i, q := range h.delivery {
			arns[i] = q.QueueArn()
		}
		return &arns
	case permissions.DLQ:
		return &[]*string{h.dlq.QueueArn()}
	case permissions.Secrets:
		return &[]*string{h.secretsArn()}
	case permissions.SecretsKey:
		return &[]*string{h.secretsKey.KeyArn()}
	}
	panic("hookrelay: no ARN for resource " + string(r))
}

// applicationLogLevels are the logLevel values: the levels the functions
// log at (shared/app maps Lambda's setting to slog's).
var applicationLogLevels = map[string]awslambda.ApplicationLogLevel{
	"DEBUG": awslambda.ApplicationLogLevel_DEBUG,
	"INFO":  awslambda.ApplicationLogLevel_INFO,
	"WARN":  awslambda.ApplicationLogLevel_WARN,
	"ERROR": awslambda.ApplicationLogLevel_ERROR,
}
