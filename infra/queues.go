package main

import (
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/lanes"
)

func seconds(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Seconds(jsii.Number(d.Seconds()))
}

// queue applies what every queue shares: SSE-SQS (no key cost, works as an
// EventBridge target without a key policy), TLS-only access, and the
// stack's removal policy.
func (h *hookrelay) queue(id string, props awssqs.QueueProps) awssqs.Queue {
	props.Encryption = awssqs.QueueEncryption_SQS_MANAGED
	props.EnforceSSL = jsii.Bool(true)
	props.RemovalPolicy = h.removal
	return awssqs.NewQueue(h.stack, jsii.String(id), &props)
}

// addQueues creates ingest → (ingest DLQ) and the delivery lanes → (DLQ).
// DLQs keep messages 14 days, longer than their sources: SQS keeps a
// redriven message's original enqueue time, so a shorter DLQ retention
// would expire it early.
func (h *hookrelay) addQueues() {
	h.ingestDLQ = h.queue("IngestDlq", awssqs.QueueProps{RetentionPeriod: seconds(dlqRetention)})
	h.ingest = h.queue("IngestQueue", awssqs.QueueProps{
		RetentionPeriod:   seconds(ingestRetention),
		VisibilityTimeout: seconds(ingestVisibility(h.settings)),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: h.ingestDLQ, MaxReceiveCount: jsii.Number(ingestMaxReceive)},
	})

	h.dlq = h.queue("Dlq", awssqs.QueueProps{RetentionPeriod: seconds(dlqRetention)})
	for lane := range lanes.Count {
		h.delivery = append(h.delivery, h.queue(laneID("DeliveryQueue", lane), awssqs.QueueProps{
			RetentionPeriod:   seconds(config.DeliveryRetention),
			VisibilityTimeout: seconds(visibilityFactor*deliverTimeout(h.settings) + h.settings.DeliverBatchWindow),
			DeadLetterQueue: &awssqs.DeadLetterQueue{
				Queue:           h.dlq,
				MaxReceiveCount: jsii.Number(float64(config.DeliveryMaxReceive(h.settings.RetrySchedule))),
			},
		}))
	}
}

// laneID is the construct id of a delivery lane's resource: lane 0 keeps
// the id the stack had before lanes, so an upgraded stack keeps its queue
// (and the messages in it) and its event source mapping.
func laneID(base string, lane int) string {
	if lane == 0 {
		return base
	}
	return base + "Lane" + strconv.Itoa(lane)
}

// deliveryURLs is what config.EnvDeliveryQueueURL carries: the lanes' queue
// URLs, comma-separated, lane i at index i (what lanes.Parse reads).
func (h *hookrelay) deliveryURLs() *string {
	urls := make([]*string, len(h.delivery))
	for i, q := range h.delivery {
		urls[i] = q.QueueUrl()
	}
	return awscdk.Fn_Join(jsii.String(","), &urls)
}

// addBus creates the producers' bus and one rule forwarding every event on
// it to the ingest queue. The pattern matches any source (a prefix of "")
// because the bus itself is the contract; malformed events are rejected by
// fan-out into the ingest DLQ where operators can see them, rather than
// silently dropped by a narrower pattern.
func (h *hookrelay) addBus() {
	h.bus = awsevents.NewEventBus(h.stack, jsii.String("Bus"), &awsevents.EventBusProps{
		Description: jsii.String("hookrelay producer events: DetailType = event name, Detail = {organization_id, data}"),
	})
	h.ingestRule = awsevents.NewRule(h.stack, jsii.String("IngestRule"), &awsevents.RuleProps{
		EventBus:     h.bus,
		Description:  jsii.String("Every event on the hookrelay bus goes to the ingest queue"),
		EventPattern: &awsevents.EventPattern{Source: awsevents.Match_Prefix(jsii.String(""))},
	})
	h.ingestRule.AddTarget(awseventstargets.NewSqsQueue(h.ingest, &awseventstargets.SqsQueueProps{
		// Events EventBridge cannot deliver (queue policy, throttling past
		// a day) land in the ingest DLQ instead of vanishing. One the DLQ
		// refuses too (over SQS's size, a character SQS does not take) is
		// dropped: the IngestRuleFailedInvocations and IngestRuleDlqFailed
		// alarms (alarms.go) report it.
		DeadLetterQueue: h.ingestDLQ,
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(24)),
		RetryAttempts:   jsii.Number(185),
	}))
	// A dynamic path parameter: EventBridge sets each event's own
	// organization as its MessageGroupId, which makes the standard ingest
	// queue an SQS fair queue, so one tenant's burst on the bus does not
	// hold the other tenants' events behind it. Organization ids (letters,
	// digits, _-.@+=, at most 128) are valid group ids. An event without a
	// valid one is malformed either way: fan-out dead-letters it, or, if
	// EventBridge cannot send it with that group, the rule's DLQ (the same
	// ingest DLQ) takes it and IngestRuleFailedInvocations fires. Set on
	// the rule itself: this CDK version's SqsQueue target refuses a group
	// id for a standard queue (it predates fair queues).
	rule := h.ingestRule.Node().DefaultChild().(awsevents.CfnRule)
	rule.AddPropertyOverride(jsii.String("Targets.0.SqsParameters.MessageGroupId"), jsii.String(bus.GroupPath))
}
