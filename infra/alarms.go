package main

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/delivery"
)

const alarmPeriod = 5 * time.Minute

// metricNamespace holds the stack's own metrics (from metric filters):
// Hookrelay/<stackName>. A metric is namespace + name + dimensions per
// account and region, so with one fixed namespace two stacks there (staging
// and production, as the README suggests) would publish into one metric and
// each stack's alarm would fire on the other's log lines. A metric filter
// cannot add a constant dimension (its dimensions are fields of the log
// event), so the stack is scoped in the namespace.
func (h *hookrelay) metricNamespace() string {
	return "Hookrelay/" + h.settings.StackName
}

// alarmTopic is encrypted with a customer managed key: CloudWatch cannot
// publish to a topic encrypted with the AWS managed SNS key, so the key
// policy must name cloudwatch.amazonaws.com.
func (h *hookrelay) alarmTopic() awssns.Topic {
	key := awskms.NewKey(h.stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("hookrelay alarm topic encryption"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     h.removal,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": h.stack.Account()},
		},
	}), nil)
	topic := awssns.NewTopic(h.stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("hookrelay alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// EnforceSSL writes a topic policy, which replaces the topic's default
	// one (whose same-account Allow is what lets alarms publish): without
	// this Allow, every alarm action fails "not authorized to perform
	// SNS:Publish".
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*topic.TopicArn()),
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": h.stack.Account()},
			"ArnLike":      map[string]interface{}{"aws:SourceArn": h.stack.FormatArn(alarmArns)},
		},
	}))
	if h.settings.AlarmEmail != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(h.settings.AlarmEmail), nil))
	}
	return topic
}

// alarmArns matches every CloudWatch alarm of the stack's account and
// region (arn:aws:cloudwatch:<region>:<account>:alarm:*).
var alarmArns = &awscdk.ArnComponents{
	Service:      jsii.String("cloudwatch"),
	Resource:     jsii.String("alarm"),
	ResourceName: jsii.String("*"),
	ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
}

type alarmSpec struct {
	id, description string
	metric          awscloudwatch.IMetric
	threshold       float64
}

func (h *hookrelay) alarm(topic awssns.Topic, a alarmSpec) {
	alarm := awscloudwatch.NewAlarm(h.stack, jsii.String(a.id), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(a.description),
		Metric:             a.metric,
		Threshold:          jsii.Number(a.threshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		// No data means an idle queue or function, which is healthy.
		TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	action := awscloudwatchactions.NewSnsAction(topic)
	alarm.AddAlarmAction(action)
	alarm.AddOkAction(action)
}

func opts(stat string) *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{Period: seconds(alarmPeriod), Statistic: jsii.String(stat)}
}

// addMonitoring wires the alarms operators act on and a dashboard.
func (h *hookrelay) addMonitoring() {
	topic := h.alarmTopic()
	h.output("AlarmTopicArn", topic.TopicArn(), "Subscribe on-call here")
	// DlqNotEmpty watches the DLQ's depth, so it stays in ALARM while any
	// letter (or a copy a tenant's recover closed) is left, and notifies
	// only once; DeadLetterArrivals notifies for each new burst.
	h.alarm(topic, alarmSpec{
		id: "DlqNotEmpty",
		description: "The delivery DLQ holds messages: inspect and redrive with the admin API (GET /api/v1/admin/dlq) or hookrelay dlq. " +
			"Copies closed by tenants' recovers keep it in ALARM until hookrelay dlq redrive or purge",
		metric:    h.dlq.MetricApproximateNumberOfMessagesVisible(opts("Maximum")),
		threshold: 1,
	})
	// NumberOfMessagesSent counts deliver's own sends to the DLQ (every
	// reason but max_receive_exceeded, which SQS moves without counting).
	h.alarm(topic, alarmSpec{
		id:          "DeadLetterArrivals",
		description: "Deliveries were dead-lettered in the last 5 minutes: inspect with the admin API (GET /api/v1/admin/dlq) or hookrelay dlq ls --since 1h",
		metric:      h.dlq.MetricNumberOfMessagesSent(opts("Sum")),
		threshold:   1,
	})
	h.alarm(topic, alarmSpec{
		id:          "IngestDlqNotEmpty",
		description: "Producer events could not be fanned out (malformed or pipeline failure)",
		metric:      h.ingestDLQ.MetricApproximateNumberOfMessagesVisible(opts("Maximum")),
		threshold:   1,
	})
	h.alarm(topic, alarmSpec{
		id: "IngestRuleFailedInvocations",
		description: "EventBridge could not put producer events on the ingest queue (an event too large for SQS, a character SQS refuses, " +
			"the queue's policy); the ingest DLQ holds them unless IngestRuleDlqFailed fires too",
		metric:    h.ingestRuleMetric("FailedInvocations"),
		threshold: 1,
	})
	h.alarm(topic, alarmSpec{
		id: "IngestRuleDlqFailed",
		description: "EventBridge dropped producer events: neither the ingest queue nor the ingest DLQ took them " +
			"(the events are lost; the producer must put them again, within the README's limits)",
		metric:    h.ingestRuleMetric("InvocationsFailedToBeSentToDlq"),
		threshold: 1,
	})
	h.alarm(topic, alarmSpec{
		id: "DeliverErrors",
		// Endpoint failures are batch item failures, not errors: an error
		// here is the function itself failing.
		description: "The deliver function failed (crash or timeout), not an endpoint",
		metric:      h.deliver.MetricErrors(opts("Sum")),
		threshold:   1,
	})
	h.alarm(topic, alarmSpec{
		id:          "FanoutErrors",
		description: "The fanout function failed (crash or timeout)",
		metric:      h.fanout.MetricErrors(opts("Sum")),
		threshold:   1,
	})
	h.alarm(topic, alarmSpec{
		id: "DeliveryBacklog",
		description: "A delivery message (in any delivery lane) is older than the whole retry schedule: deliveries are stuck or backlogged, " +
			"or one endpoint's 429 asked for a long Retry-After (README, Operations)",
		metric:    h.oldestDeliveryAge(),
		threshold: oldestMessageThreshold(h.settings).Seconds(),
	})
	h.alarm(topic, alarmSpec{
		id: "IngestBacklog",
		description: "An event has waited in the ingest queue longer than fan-out's retries take: fan-out is not keeping up " +
			"(fanoutReservedConcurrency, FanoutErrors); the queue drops events after 4 days, with no dead letter",
		metric:    h.ingest.MetricApproximateAgeOfOldestMessage(opts("Maximum")),
		threshold: ingestBacklogThreshold(h.settings).Seconds(),
	})
	h.alarm(topic, alarmSpec{
		id:          "Api5xx",
		description: "The tenant API returned 5xx responses",
		metric:      h.stage.MetricServerError(opts("Sum")),
		threshold:   5,
	})
	h.alarm(topic, alarmSpec{
		id: "WebhooksAutoDisabled",
		description: "An endpoint failed every delivery for the auto-disable period and was disabled; its deliveries are parked. " +
			"The deliver log line \"" + delivery.MsgWebhookDisabled + "\" names the organization and webhook; the tenant was sent webhook.disabled",
		metric:    h.autoDisabledMetric(),
		threshold: 1,
	})
	h.warnIfLogLevelHides("WebhooksAutoDisabled", delivery.LevelWebhookDisabled)
	h.addDashboard()
}

// ingestRuleMetric is one of the ingest rule's AWS/Events metrics. A rule
// on a custom bus reports them under both EventBusName and RuleName (the
// RuleName alone is the default bus's). EventBridge sends these only when
// they are not zero, so missing data is the healthy case.
//
// The rule's name comes from its ARN (rule/<bus>/<name> on a custom bus):
// the rule's Ref, which CDK's RuleName is, reads "<bus>|<name>" there.
func (h *hookrelay) ingestRuleMetric(name string) awscloudwatch.IMetric {
	ruleName := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), h.ingestRule.RuleArn(), nil))
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:  jsii.String("AWS/Events"),
		MetricName: jsii.String(name),
		DimensionsMap: &map[string]*string{
			"EventBusName": h.bus.EventBusName(),
			"RuleName":     ruleName,
		},
		Period:    seconds(alarmPeriod),
		Statistic: jsii.String("Sum"),
	})
}

// autoDisabledMetric counts the deliver function's auto-disable log lines
// (a metric filter: no API call from the function).
func (h *hookrelay) autoDisabledMetric() awscloudwatch.IMetric {
	filter := awslogs.NewMetricFilter(h.stack, jsii.String("WebhooksAutoDisabledFilter"), &awslogs.MetricFilterProps{
		LogGroup:        h.deliver.LogGroup(),
		FilterPattern:   awslogs.FilterPattern_StringValue(jsii.String("$.msg"), jsii.String("="), jsii.String(delivery.MsgWebhookDisabled)),
		MetricNamespace: jsii.String(h.metricNamespace()),
		MetricName:      jsii.String("WebhooksAutoDisabled"),
		MetricValue:     jsii.String("1"),
	})
	return filter.Metric(opts("Sum"))
}

// warnIfLogLevelHides warns at synth when the functions' logLevel drops
// the log line (of level line) whose metric filter feeds alarm: Lambda
// sends no application line below logLevel, so the alarm never fires.
func (h *hookrelay) warnIfLogLevelHides(alarm string, line slog.Level) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(h.settings.LogLevel)); err != nil || level <= line {
		return
	}
	awscdk.Annotations_Of(h.stack).AddWarningV2(jsii.String("hookrelay:log-level-hides-alarm"),
		jsii.String(fmt.Sprintf("logLevel=%s disables the %s alarm: its metric filter counts a %s log line, which Lambda drops at %s. Use logLevel=%s or lower to keep the alarm",
			h.settings.LogLevel, alarm, line, h.settings.LogLevel, line)))
}

// laneMetrics is one metric per delivery lane, lane i at index i, each
// labelled with its lane so the dashboard tells them apart.
func (h *hookrelay) laneMetrics(label, stat string, metric func(awssqs.Queue, *awscloudwatch.MetricOptions) awscloudwatch.Metric) []awscloudwatch.IMetric {
	out := make([]awscloudwatch.IMetric, len(h.delivery))
	for lane, q := range h.delivery {
		o := opts(stat)
		o.Label = jsii.String(fmt.Sprintf("delivery lane %d %s", lane, label))
		out[lane] = metric(q, o)
	}
	return out
}

// oldestDeliveryAge is the age of the oldest message over every delivery
// lane: one alarm covers them all (alarms are priced per alarm, and a stuck
// lane is one problem whichever lane it is).
func (h *hookrelay) oldestDeliveryAge() awscloudwatch.IMetric {
	using := map[string]awscloudwatch.IMetric{}
	for lane, m := range h.laneMetrics("oldest message", "Maximum", awssqs.Queue.MetricApproximateAgeOfOldestMessage) {
		using[fmt.Sprintf("lane%d", lane)] = m
	}
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String("MAX(METRICS())"),
		UsingMetrics: &using,
		Label:        jsii.String("oldest delivery message, any lane (s)"),
		Period:       seconds(alarmPeriod),
	})
}

func graph(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8),
	})
}

func (h *hookrelay) addDashboard() {
	awscloudwatch.NewDashboard(h.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		Widgets: &[]*[]awscloudwatch.IWidget{
			{
				graph("API requests / 4xx / 5xx", h.stage.MetricCount(opts("Sum")),
					h.stage.MetricClientError(opts("Sum")), h.stage.MetricServerError(opts("Sum"))),
				graph("API latency p99", h.stage.MetricLatency(opts("p99"))),
				graph("Queue depth", slices.Concat(
					[]awscloudwatch.IMetric{h.ingest.MetricApproximateNumberOfMessagesVisible(opts("Maximum"))},
					h.laneMetrics("visible", "Maximum", awssqs.Queue.MetricApproximateNumberOfMessagesVisible),
					h.laneMetrics("in flight", "Maximum", awssqs.Queue.MetricApproximateNumberOfMessagesNotVisible))...),
			},
			{
				graph("Dead letters", h.dlq.MetricApproximateNumberOfMessagesVisible(opts("Maximum")),
					h.ingestDLQ.MetricApproximateNumberOfMessagesVisible(opts("Maximum"))),
				graph("Oldest delivery message (s)",
					h.laneMetrics("oldest message", "Maximum", awssqs.Queue.MetricApproximateAgeOfOldestMessage)...),
				graph("Function errors", h.api.MetricErrors(opts("Sum")), h.fanout.MetricErrors(opts("Sum")),
					h.deliver.MetricErrors(opts("Sum"))),
			},
			{
				graph("Function duration p99", h.api.MetricDuration(opts("p99")), h.fanout.MetricDuration(opts("p99")),
					h.deliver.MetricDuration(opts("p99"))),
				graph("Concurrent executions", h.fanout.Metric(jsii.String("ConcurrentExecutions"), opts("Maximum")),
					h.deliver.Metric(jsii.String("ConcurrentExecutions"), opts("Maximum"))),
				graph("Throttles", h.fanout.MetricThrottles(opts("Sum")), h.deliver.MetricThrottles(opts("Sum"))),
			},
		},
	})
}
