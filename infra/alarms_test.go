package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/hookrelay/hookrelay/shared/cost"
	"github.com/hookrelay/hookrelay/shared/delivery"
)

// make cost prices a stack's alarms and dashboards (shared/cost); a new
// alarm must show up in its fixed monthly costs.
func TestCostReportCountsTheStacksAlarms(t *testing.T) {
	s := defaultStack(t)
	if n := len(s.ofType("AWS::CloudWatch::Alarm")); n != cost.StackAlarms {
		t.Errorf("the stack has %d alarms, make cost prices cost.StackAlarms = %d", n, cost.StackAlarms)
	}
	if n := len(s.ofType("AWS::CloudWatch::Dashboard")); n != cost.StackDashboards {
		t.Errorf("the stack has %d dashboards, make cost prices cost.StackDashboards = %d", n, cost.StackDashboards)
	}
}

func TestAlarmsNotifyTopic(t *testing.T) {
	s := defaultStack(t)
	topic := ref(s.id(t, "AlarmTopic"))
	cases := []struct {
		alarm, metric, namespace string
		dimension                interface{}
	}{
		{"DlqNotEmpty", "ApproximateNumberOfMessagesVisible", "AWS/SQS", getAtt(s.id(t, "Dlq"), "QueueName")},
		{"DeadLetterArrivals", "NumberOfMessagesSent", "AWS/SQS", getAtt(s.id(t, "Dlq"), "QueueName")},
		{"IngestDlqNotEmpty", "ApproximateNumberOfMessagesVisible", "AWS/SQS", getAtt(s.id(t, "IngestDlq"), "QueueName")},
		{"IngestBacklog", "ApproximateAgeOfOldestMessage", "AWS/SQS", getAtt(s.id(t, "IngestQueue"), "QueueName")},
		{"DeliverErrors", "Errors", "AWS/Lambda", ref(s.id(t, "DeliverFunction"))},
		// DeliveryBacklog watches every lane: lanes_test.go.
		{"Api5xx", "5xx", "AWS/ApiGateway", ref(s.id(t, "HttpApi"))},
	}
	for _, c := range cases {
		p := s.props(t, s.id(t, c.alarm))
		if p["MetricName"] != c.metric || p["Namespace"] != c.namespace {
			t.Errorf("%s watches %v/%v, want %s/%s", c.alarm, p["Namespace"], p["MetricName"], c.namespace, c.metric)
		}
		if !containsJSON(p["Dimensions"], c.dimension) {
			t.Errorf("%s dimensions %v do not name %v", c.alarm, jsonOf(p["Dimensions"]), jsonOf(c.dimension))
		}
		if !containsJSON(p["AlarmActions"], topic) {
			t.Errorf("%s does not notify the alarm topic: %v", c.alarm, p["AlarmActions"])
		}
	}
	// A message retried on schedule grows as old as the schedule (210 s by
	// default); the backlog alarm must not fire on healthy retries.
	backlog := s.props(t, s.id(t, "DeliveryBacklog"))
	if th := num(backlog["Threshold"]); th <= 210 {
		t.Errorf("backlog threshold %vs fires during normal retries", th)
	}
	if !containsJSON(backlog["AlarmActions"], topic) {
		t.Errorf("DeliveryBacklog does not notify the alarm topic: %v", backlog["AlarmActions"])
	}
	// Auto-disables: a metric filter on the deliver log line, alarmed at one.
	filter := s.props(t, s.id(t, "WebhooksAutoDisabledFilter"))
	if jsonOf(filter["LogGroupName"]) != jsonOf(ref(s.id(t, "DeliverLogs"))) ||
		filter["FilterPattern"] != `{ $.msg = "`+delivery.MsgWebhookDisabled+`" }` {
		t.Errorf("auto-disable filter %s", jsonOf(filter))
	}
	// The namespace is the stack's own: autodisabled_test.go.
	tr := jsonOf(filter["MetricTransformations"])
	if !strings.Contains(tr, `"MetricName":"WebhooksAutoDisabled"`) || !strings.Contains(tr, `"MetricNamespace":"Hookrelay/Hookrelay"`) || !strings.Contains(tr, `"MetricValue":"1"`) {
		t.Errorf("auto-disable metric %s", tr)
	}
	alarm := s.props(t, s.id(t, "WebhooksAutoDisabled"))
	if alarm["MetricName"] != "WebhooksAutoDisabled" || alarm["Namespace"] != "Hookrelay/Hookrelay" || num(alarm["Threshold"]) != 1 ||
		!containsJSON(alarm["AlarmActions"], topic) {
		t.Errorf("auto-disable alarm %s", jsonOf(alarm))
	}
	if th := num(s.props(t, s.id(t, "DlqNotEmpty"))["Threshold"]); th != 1 {
		t.Errorf("DLQ alarm threshold %v, want 1 message", th)
	}
	// The DLQ's depth sticks above 0 while letters wait; arrivals notify
	// again for every new 5 minutes with a dead letter, and are quiet
	// (not breaching) when no message is sent.
	arrivals := s.props(t, s.id(t, "DeadLetterArrivals"))
	if arrivals["Statistic"] != "Sum" || num(arrivals["Period"]) != 300 || num(arrivals["Threshold"]) != 1 ||
		arrivals["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" || arrivals["TreatMissingData"] != "notBreaching" ||
		!containsJSON(arrivals["OKActions"], topic) {
		t.Errorf("DeadLetterArrivals %s", jsonOf(arrivals))
	}
}

// An ingest message fan-out keeps failing is received maxReceiveCount
// times, a visibility timeout apart, before SQS moves it to the ingest DLQ:
// IngestBacklog must stay quiet through those retries and fire long before
// the queue's retention drops a waiting event.
func TestIngestBacklogAlarm(t *testing.T) {
	s := defaultStack(t)
	q := s.props(t, s.id(t, "IngestQueue"))
	rp, _ := q["RedrivePolicy"].(map[string]interface{})
	retries := num(q["VisibilityTimeout"]) * num(rp["maxReceiveCount"])
	a := s.props(t, s.id(t, "IngestBacklog"))
	th := num(a["Threshold"])
	if retries == 0 || th <= retries {
		t.Errorf("IngestBacklog threshold %vs, want above the %vs fan-out's retries take", th, retries)
	}
	if retention := num(q["MessageRetentionPeriod"]); th > retention/4 {
		t.Errorf("IngestBacklog threshold %vs is not well under the ingest queue's retention %vs", th, retention)
	}
	if a["Statistic"] != "Maximum" || num(a["Period"]) != 300 || a["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
		t.Errorf("IngestBacklog %s", jsonOf(a))
	}
}

// Lambda drops application lines below logLevel: at ERROR the WARN line
// WebhooksAutoDisabled counts never reaches its metric filter, so synth
// says so; at WARN and below it does not.
func TestLogLevelAboveTheAutoDisableLineWarns(t *testing.T) {
	warned := func(s *synthesized) bool {
		for _, w := range *assertionsWarnings(s) {
			if strings.Contains(w, "disables the WebhooksAutoDisabled alarm") {
				return true
			}
		}
		return false
	}
	if s := synth(t, map[string]interface{}{CtxLogLevel: "ERROR"}); !warned(s) {
		t.Errorf("logLevel=ERROR: no warning naming WebhooksAutoDisabled in %v", *assertionsWarnings(s))
	}
	if s := synth(t, map[string]interface{}{CtxLogLevel: "WARN"}); warned(s) {
		t.Errorf("logLevel=WARN keeps the line, yet synth warns: %v", *assertionsWarnings(s))
	}
	if warned(defaultStack(t)) {
		t.Error("the default logLevel warns about WebhooksAutoDisabled")
	}
}

// EventBridge drops an event that neither the ingest queue nor its DLQ
// takes (over SQS's size, a character SQS refuses); only the rule's
// metrics see it. A rule on a custom bus reports them under the bus's name
// and the rule's bare name, which is the last part of the rule's ARN.
func TestIngestRuleFailuresAlarm(t *testing.T) {
	s := defaultStack(t)
	topic := ref(s.id(t, "AlarmTopic"))
	rule := s.props(t, s.id(t, "IngestRule"))
	if jsonOf(rule["EventBusName"]) != jsonOf(ref(s.id(t, "Bus"))) {
		t.Fatalf("the ingest rule is not on the stack's bus: %s", jsonOf(rule["EventBusName"]))
	}
	ruleName := map[string]interface{}{"Fn::Select": []interface{}{2.0,
		map[string]interface{}{"Fn::Split": []interface{}{"/", getAtt(s.id(t, "IngestRule"), "Arn")}}}}
	for alarm, metric := range map[string]string{
		"IngestRuleFailedInvocations": "FailedInvocations",
		"IngestRuleDlqFailed":         "InvocationsFailedToBeSentToDlq",
	} {
		p := s.props(t, s.id(t, alarm))
		if p["Namespace"] != "AWS/Events" || p["MetricName"] != metric || p["Statistic"] != "Sum" ||
			num(p["Threshold"]) != 1 || p["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" || p["TreatMissingData"] != "notBreaching" {
			t.Errorf("%s: %s", alarm, jsonOf(p))
		}
		want := []interface{}{
			map[string]interface{}{"Name": "EventBusName", "Value": ref(s.id(t, "Bus"))},
			map[string]interface{}{"Name": "RuleName", "Value": ruleName},
		}
		if jsonOf(p["Dimensions"]) != jsonOf(want) {
			t.Errorf("%s dimensions %s, want %s", alarm, jsonOf(p["Dimensions"]), jsonOf(want))
		}
		if !containsJSON(p["AlarmActions"], topic) || !containsJSON(p["OKActions"], topic) {
			t.Errorf("%s does not notify the alarm topic: %s", alarm, jsonOf(p))
		}
	}
}

func TestAlarmTopicEncryptedWithEmail(t *testing.T) {
	s := defaultStack(t)
	key := s.id(t, "AlarmTopicKey")
	s.template.HasResourceProperties(str("AWS::SNS::Topic"), obj(map[string]interface{}{
		"KmsMasterKeyId": getAtt(key, "Arn"),
	}))
	s.template.HasResourceProperties(str("AWS::KMS::Key"), obj(map[string]interface{}{
		"EnableKeyRotation": true,
		"KeyPolicy": obj(map[string]interface{}{
			"Statement": arr(obj(map[string]interface{}{
				"Principal": map[string]interface{}{"Service": "cloudwatch.amazonaws.com"},
				"Action":    []interface{}{"kms:Decrypt", "kms:GenerateDataKey*"},
			})),
		}),
	}))
	s.template.HasResourceProperties(str("AWS::SNS::Subscription"), obj(map[string]interface{}{
		"Protocol": "email",
		"Endpoint": "oncall@example.com",
		"TopicArn": ref(s.id(t, "AlarmTopic")),
	}))
	// Without alarmEmail there is no subscription.
	none := synth(t, nil)
	if subs := none.ofType("AWS::SNS::Subscription"); len(subs) != 0 {
		t.Errorf("subscriptions without alarmEmail: %v", subs)
	}
}

func TestDashboard(t *testing.T) {
	s := defaultStack(t)
	s.template.HasResourceProperties(str("AWS::CloudWatch::Dashboard"), obj(map[string]interface{}{
		"DashboardBody": assertions.Match_AnyValue(),
	}))
	body := jsonOf(s.props(t, s.id(t, "Dashboard"))["DashboardBody"])
	for _, metric := range []string{"ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible", "Errors", "5xx"} {
		if !contains(body, metric) {
			t.Errorf("dashboard lacks %s", metric)
		}
	}
}

func TestOutputs(t *testing.T) {
	s := defaultStack(t)
	want := map[string]interface{}{
		"EventBusName":     ref(s.id(t, "Bus")),
		"EventBusArn":      getAtt(s.id(t, "Bus"), "Arn"),
		"DlqUrl":           ref(s.id(t, "Dlq")),
		"DeliveryQueueUrl": s.laneURLs(t),
		"IngestQueueUrl":   ref(s.id(t, "IngestQueue")),
		"IngestDlqUrl":     ref(s.id(t, "IngestDlq")),
		"TableName":        ref(s.id(t, "Table")),
	}
	for name, value := range want {
		s.template.HasOutput(str(name), obj(map[string]interface{}{"Value": value}))
	}
	s.template.HasOutput(str("ApiUrl"), obj(map[string]interface{}{
		"Value": obj(map[string]interface{}{"Fn::Join": assertions.Match_AnyValue()}),
	}))
	outputs := s.template.FindOutputs(str("ApiUrl"), nil)
	if url := jsonOf((*outputs)["ApiUrl"]); !contains(url, ".execute-api.") || !contains(url, s.id(t, "HttpApi")) {
		t.Errorf("ApiUrl %s is not this API's execute-api endpoint", url)
	}
}

func containsJSON(list interface{}, item interface{}) bool {
	want := jsonOf(item)
	items, _ := list.([]interface{})
	for _, it := range items {
		if jsonOf(it) == want || contains(jsonOf(it), want) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }
