package main

import "testing"

// Two stacks in one account and region (staging and production, as the
// README's stackName row suggests) must not share the WebhooksAutoDisabled
// metric: a CloudWatch metric is namespace + name + dimensions there, so a
// shared one would page each stack's on-call for the other's endpoints.
// Each stack's filter publishes into Hookrelay/<stackName> and its alarm
// watches that metric.
func TestAutoDisabledMetricIsPerStack(t *testing.T) {
	stacks := map[string]*synthesized{
		"Hookrelay":        defaultStack(t),
		"HookrelayStaging": synth(t, map[string]interface{}{CtxStackName: "HookrelayStaging"}),
	}
	for name, s := range stacks {
		want := "Hookrelay/" + name
		tr, _ := s.props(t, s.id(t, "WebhooksAutoDisabledFilter"))["MetricTransformations"].([]interface{})
		if len(tr) != 1 {
			t.Fatalf("%s: auto-disable filter transformations %s", name, jsonOf(tr))
		}
		m, _ := tr[0].(map[string]interface{})
		if m["MetricNamespace"] != want || m["MetricName"] != "WebhooksAutoDisabled" {
			t.Errorf("%s: the filter publishes %v/%v, want %s/WebhooksAutoDisabled", name, m["MetricNamespace"], m["MetricName"], want)
		}
		alarm := s.props(t, s.id(t, "WebhooksAutoDisabled"))
		if alarm["Namespace"] != want || alarm["MetricName"] != "WebhooksAutoDisabled" {
			t.Errorf("%s: the alarm watches %v/%v, want %s/WebhooksAutoDisabled", name, alarm["Namespace"], alarm["MetricName"], want)
		}
	}
}
