package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

func TestQueuesEncryptedAndTLSOnly(t *testing.T) {
	s := defaultStack(t)
	for _, q := range append([]string{"IngestQueue", "IngestDlq", "Dlq"}, deliveryLanes...) {
		id := s.id(t, q)
		p := s.props(t, id)
		if p["SqsManagedSseEnabled"] != true && p["KmsMasterKeyId"] == nil {
			t.Errorf("%s is not encrypted at rest", q)
		}
		s.template.HasResourceProperties(str("AWS::SQS::QueuePolicy"), obj(map[string]interface{}{
			"Queues": []interface{}{ref(id)},
			"PolicyDocument": obj(map[string]interface{}{
				"Statement": arr(obj(map[string]interface{}{
					"Effect":    "Deny",
					"Action":    "sqs:*",
					"Condition": map[string]interface{}{"Bool": map[string]interface{}{"aws:SecureTransport": "false"}},
					"Resource":  getAtt(id, "Arn"),
				})),
			}),
		}))
	}
}

func TestRedriveAndRetention(t *testing.T) {
	s := defaultStack(t)
	redrives := map[string]string{"IngestQueue": "IngestDlq"}
	for _, lane := range deliveryLanes {
		redrives[lane] = "Dlq"
	}
	for source, dlq := range redrives {
		src, dead := s.props(t, s.id(t, source)), s.props(t, s.id(t, dlq))
		rp, _ := src["RedrivePolicy"].(map[string]interface{})
		if jsonOf(rp["deadLetterTargetArn"]) != jsonOf(getAtt(s.id(t, dlq), "Arn")) || num(rp["maxReceiveCount"]) < 1 {
			t.Errorf("%s redrive = %v, want to %s", source, rp, dlq)
		}
		if num(dead["MessageRetentionPeriod"]) != 14*24*3600 {
			t.Errorf("%s retention = %v, want 14 days", dlq, dead["MessageRetentionPeriod"])
		}
		// SQS keeps the original enqueue time on redrive.
		if num(dead["MessageRetentionPeriod"]) <= num(src["MessageRetentionPeriod"]) {
			t.Errorf("%s retention %v must exceed %s's %v", dlq, dead["MessageRetentionPeriod"], source, src["MessageRetentionPeriod"])
		}
	}
	// Safety net only: with the default 3-step schedule (4 attempts) SQS
	// must not redrive before the function dead-letters by itself.
	for _, lane := range deliveryLanes {
		rp := s.props(t, s.id(t, lane))["RedrivePolicy"].(map[string]interface{})
		if num(rp["maxReceiveCount"]) < 10 {
			t.Errorf("%s maxReceiveCount = %v, want >= 10", lane, rp["maxReceiveCount"])
		}
	}
}

func TestVisibilityCoversConsumers(t *testing.T) {
	s := defaultStack(t)
	consumers := map[string]string{"IngestQueue": "FanoutFunction"}
	for _, lane := range deliveryLanes {
		consumers[lane] = "DeliverFunction"
	}
	for queue, fn := range consumers {
		vis := num(s.props(t, s.id(t, queue))["VisibilityTimeout"])
		timeout := num(s.props(t, s.id(t, fn))["Timeout"])
		if timeout <= 0 || vis < 6*timeout {
			t.Errorf("%s visibility %vs < 6 x %s timeout %vs", queue, vis, fn, timeout)
		}
	}
}

func TestBusRuleToIngestQueue(t *testing.T) {
	s := defaultStack(t)
	bus, ingest, ingestDLQ := s.id(t, "Bus"), s.id(t, "IngestQueue"), s.id(t, "IngestDlq")
	s.template.HasResourceProperties(str("AWS::Events::Rule"), obj(map[string]interface{}{
		"EventBusName": ref(bus),
		"State":        "ENABLED",
		// Every event on the bus, whatever its source.
		"EventPattern": map[string]interface{}{"source": []interface{}{map[string]interface{}{"prefix": ""}}},
		"Targets": arr(obj(map[string]interface{}{
			"Arn":              getAtt(ingest, "Arn"),
			"DeadLetterConfig": map[string]interface{}{"Arn": getAtt(ingestDLQ, "Arn")},
			// Each event's organization is its message group: a fair queue.
			"SqsParameters": map[string]interface{}{"MessageGroupId": "$.detail.organization_id"},
		})),
	}))
	// EventBridge may send to the ingest queue (and its DLQ), from this rule only.
	rule := jsonOf(getAtt(s.id(t, "IngestRule"), "Arn"))
	for _, q := range []string{ingest, ingestDLQ} {
		found := false
		for _, p := range s.ofType("AWS::SQS::QueuePolicy") {
			if jsonOf(p["Queues"]) != jsonOf([]interface{}{ref(q)}) {
				continue
			}
			for _, st := range p["PolicyDocument"].(map[string]interface{})["Statement"].([]interface{}) {
				st := st.(map[string]interface{})
				if st["Effect"] == "Allow" && jsonOf(st["Principal"]) == `{"Service":"events.amazonaws.com"}` &&
					slices.Contains(actions(st), "sqs:SendMessage") && strings.Contains(jsonOf(st["Condition"]), rule) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("queue %s: no SendMessage grant to EventBridge scoped to the ingest rule", q)
		}
	}
	s.template.HasResourceProperties(str("AWS::Events::EventBus"), obj(map[string]interface{}{
		"Name": assertions.Match_AnyValue(),
	}))
}
