package main

import (
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/lanes"
)

// TestDeliveryLanesAreAlike: lanes.Count delivery queues, each with lane
// 0's retention, visibility and encryption, all redriving to the one DLQ
// with the same maxReceiveCount.
func TestDeliveryLanesAreAlike(t *testing.T) {
	if len(deliveryLanes) != lanes.Count {
		t.Fatalf("the test names %d lanes, lanes.Count = %d", len(deliveryLanes), lanes.Count)
	}
	s := defaultStack(t)
	dlq := jsonOf(getAtt(s.id(t, "Dlq"), "Arn"))
	lane0 := s.props(t, s.id(t, deliveryLanes[0]))
	redriving := 0
	for id, p := range s.ofType("AWS::SQS::Queue") {
		if rp, _ := p["RedrivePolicy"].(map[string]interface{}); jsonOf(rp["deadLetterTargetArn"]) == dlq {
			redriving++
			if jsonOf(p) != jsonOf(lane0) {
				t.Errorf("queue %s = %s, want lane 0's properties %s", id, jsonOf(p), jsonOf(lane0))
			}
		}
	}
	if redriving != lanes.Count {
		t.Errorf("%d queues redrive to the DLQ, want the %d delivery lanes", redriving, lanes.Count)
	}
	for _, q := range deliveryLanes {
		if rp, _ := s.props(t, s.id(t, q))["RedrivePolicy"].(map[string]interface{}); jsonOf(rp["deadLetterTargetArn"]) != dlq {
			t.Errorf("%s does not redrive to the DLQ: %v", q, rp)
		}
	}
}

// TestDeliverySourcePerLane: one deliver event source per lane, each with
// an equal share of deliverMaxConcurrency (5 of the default 20, rounded
// down from an uneven total), the same batching and partial failures.
func TestDeliverySourcePerLane(t *testing.T) {
	for _, c := range []struct {
		ctx  map[string]interface{}
		want float64
	}{{nil, 5}, {map[string]interface{}{CtxDeliverConcurrency: "22"}, 5}, {map[string]interface{}{CtxDeliverConcurrency: "40"}, 10}} {
		s := defaultStack(t)
		if c.ctx != nil {
			s = synth(t, c.ctx)
		}
		deliver := jsonOf(ref(s.id(t, "DeliverFunction")))
		sources := map[string]bool{}
		for id, p := range s.ofType("AWS::Lambda::EventSourceMapping") {
			if jsonOf(p["FunctionName"]) != deliver {
				continue
			}
			sources[jsonOf(p["EventSourceArn"])] = true
			if num(p["BatchSize"]) != 10 || num(p["MaximumBatchingWindowInSeconds"]) != 1 ||
				jsonOf(p["FunctionResponseTypes"]) != `["ReportBatchItemFailures"]` ||
				jsonOf(p["ScalingConfig"]) != jsonOf(map[string]interface{}{"MaximumConcurrency": c.want}) {
				t.Errorf("context %v: mapping %s = %s, want batches of 10, 1 s window, item failures, max concurrency %v", c.ctx, id, jsonOf(p), c.want)
			}
		}
		for _, arn := range s.laneRefs(t, queueArn) {
			if !sources[jsonOf(arn)] {
				t.Errorf("context %v: no deliver event source on %s", c.ctx, jsonOf(arn))
			}
		}
		if len(sources) != lanes.Count {
			t.Errorf("context %v: deliver has %d event sources, want one per lane (%d)", c.ctx, len(sources), lanes.Count)
		}
	}
	// Lane 0's mapping keeps its pre-lanes id, so an upgrade does not
	// replace it.
	s := defaultStack(t)
	for i, id := range []string{"DeliverFunction/DeliverySource", "DeliverFunction/DeliverySourceLane1"} {
		p := s.props(t, s.id(t, id))
		if jsonOf(p["EventSourceArn"]) != jsonOf(queueArn(s.id(t, deliveryLanes[i]))) {
			t.Errorf("%s reads %s, want lane %d", id, jsonOf(p["EventSourceArn"]), i)
		}
	}
}

// TestDeliveryURLsAreTheLanesInOrder: every function given
// HOOKRELAY_DELIVERY_QUEUE_URL, and the DeliveryQueueUrl output, carry the
// lanes' URLs in lane order, which lanes.Parse reads back as the lanes.
func TestDeliveryURLsAreTheLanesInOrder(t *testing.T) {
	s := defaultStack(t)
	want := jsonOf(s.laneURLs(t))
	for fn, path := range functionIDs {
		vars := s.env(t, path)
		if v, ok := vars[config.EnvDeliveryQueueURL]; ok && jsonOf(v) != want {
			t.Errorf("%s: %s = %s, want %s", fn, config.EnvDeliveryQueueURL, jsonOf(v), want)
		}
	}
	// Resolve the join the way CloudFormation does, with a URL per queue.
	join := s.laneURLs(t)["Fn::Join"].([]interface{})
	urls := make([]string, len(deliveryLanes))
	for i, q := range deliveryLanes {
		urls[i] = "https://sqs.eu-west-1.amazonaws.com/123456789012/" + q
	}
	resolved := make([]string, len(urls))
	for i, r := range join[1].([]interface{}) {
		for j, q := range deliveryLanes {
			if jsonOf(r) == jsonOf(ref(s.id(t, q))) {
				resolved[i] = urls[j]
			}
		}
	}
	parsed := lanes.Parse(strings.Join(resolved, join[0].(string)))
	if len(parsed) != lanes.Count {
		t.Fatalf("lanes.Parse read %d lanes, want %d", len(parsed), lanes.Count)
	}
	for i := range parsed {
		if parsed[i] != urls[i] {
			t.Errorf("lane %d = %s, want %s", i, parsed[i], urls[i])
		}
	}
	outputs := s.template.FindOutputs(str("DeliveryQueueUrl"), nil)
	out := *(*outputs)["DeliveryQueueUrl"]
	if jsonOf(out["Value"]) != want || !strings.Contains(out["Description"].(string), "comma-separated") {
		t.Errorf("DeliveryQueueUrl output = %s, want %s, described as comma-separated", jsonOf(out), want)
	}
}

// TestDeliveryBacklogCoversEveryLane: still one alarm, on the maximum over
// the lanes of the oldest message's age.
func TestDeliveryBacklogCoversEveryLane(t *testing.T) {
	s := defaultStack(t)
	p := s.props(t, s.id(t, "DeliveryBacklog"))
	metrics, _ := p["Metrics"].([]interface{})
	returned := 0
	watched := map[string]bool{}
	for _, m := range metrics {
		m := m.(map[string]interface{})
		if m["ReturnData"] != false {
			returned++
			if m["Expression"] != "MAX(METRICS())" {
				t.Errorf("the alarm evaluates %s, want MAX(METRICS())", jsonOf(m))
			}
			continue
		}
		stat, _ := m["MetricStat"].(map[string]interface{})
		metric, _ := stat["Metric"].(map[string]interface{})
		if metric["MetricName"] != "ApproximateAgeOfOldestMessage" || metric["Namespace"] != "AWS/SQS" || stat["Stat"] != "Maximum" {
			t.Errorf("backlog input %s, want AWS/SQS ApproximateAgeOfOldestMessage Maximum", jsonOf(m))
		}
		watched[jsonOf(metric["Dimensions"])] = true
	}
	if returned != 1 {
		t.Errorf("the alarm returns %d series, want the one expression", returned)
	}
	for _, name := range s.laneRefs(t, func(id string) map[string]interface{} { return getAtt(id, "QueueName") }) {
		dims := jsonOf([]interface{}{map[string]interface{}{"Name": "QueueName", "Value": name}})
		if !watched[dims] {
			t.Errorf("DeliveryBacklog does not watch %s", dims)
		}
	}
	if len(watched) != lanes.Count {
		t.Errorf("DeliveryBacklog watches %d queues, want the %d lanes", len(watched), lanes.Count)
	}
}

// TestDashboardShowsEveryLane: each lane's depth, in-flight count and
// oldest message age are on the dashboard.
func TestDashboardShowsEveryLane(t *testing.T) {
	s := defaultStack(t)
	body := jsonOf(s.props(t, s.id(t, "Dashboard"))["DashboardBody"])
	for i, q := range deliveryLanes {
		name := jsonOf(getAtt(s.id(t, q), "QueueName"))
		if n := strings.Count(body, name); n != 3 {
			t.Errorf("lane %d (%s) appears in %d dashboard metrics, want 3 (visible, in flight, oldest)", i, q, n)
		}
	}
}
