package main

import (
	"slices"
	"testing"
)

// A topic policy replaces SNS's default one, so every topic an alarm
// notifies must itself allow CloudWatch to publish, and the topic's key
// must let CloudWatch encrypt for it: otherwise the alarm turns red in the
// console and its action fails, telling no one.
func TestEveryAlarmTopicLetsCloudWatchPublish(t *testing.T) {
	s := defaultStack(t)
	topics := map[string]bool{}
	for id, p := range s.ofType("AWS::CloudWatch::Alarm") {
		for _, field := range []string{"AlarmActions", "OKActions"} {
			actions, _ := p[field].([]interface{})
			if field == "AlarmActions" && len(actions) == 0 {
				t.Errorf("alarm %s has no alarm action", id)
			}
			for _, a := range actions {
				r, _ := a.(map[string]interface{})
				topic, _ := r["Ref"].(string)
				if s.resources[topic]["Type"] != "AWS::SNS::Topic" {
					t.Errorf("alarm %s %s targets %s, not a topic of the stack", id, field, jsonOf(a))
					continue
				}
				topics[topic] = true
			}
		}
	}
	if len(topics) == 0 {
		t.Fatal("no alarm notifies a topic")
	}
	account := ref("AWS::AccountId")
	for topic := range topics {
		if !s.topicAllowsCloudWatch(topic, account) {
			t.Errorf("topic %s: no topic policy allows cloudwatch.amazonaws.com sns:Publish on it for this account", topic)
		}
		key := s.props(t, topic)["KmsMasterKeyId"]
		if key == nil {
			continue
		}
		att, _ := key.(map[string]interface{})["Fn::GetAtt"].([]interface{})
		if len(att) != 2 || att[1] != "Arn" {
			t.Errorf("topic %s is encrypted with %s, not a key of the stack", topic, jsonOf(key))
			continue
		}
		doc, _ := s.props(t, att[0].(string))["KeyPolicy"].(map[string]interface{})
		if !allowsCloudWatch(doc, account, []string{"kms:Decrypt", "kms:GenerateDataKey*"}) {
			t.Errorf("topic %s's key %s does not let cloudwatch.amazonaws.com use it for this account", topic, att[0])
		}
	}
}

// The Allow names this account's alarms only, and TLS-only publishing stays.
func TestAlarmTopicPolicyIsNarrow(t *testing.T) {
	s := defaultStack(t)
	topic := s.id(t, "AlarmTopic")
	var deny, allow map[string]interface{}
	for _, p := range s.ofType("AWS::SNS::TopicPolicy") {
		if !containsJSON(p["Topics"], ref(topic)) {
			continue
		}
		for _, st := range policyStatements(p["PolicyDocument"]) {
			switch st["Effect"] {
			case "Deny":
				deny = st
			case "Allow":
				allow = st
			}
		}
	}
	if jsonOf(deny["Condition"]) != `{"Bool":{"aws:SecureTransport":"false"}}` {
		t.Errorf("the topic lost its TLS-only Deny: %s", jsonOf(deny))
	}
	if allow == nil {
		t.Fatal("the alarm topic's policy has no Allow")
	}
	cond, _ := allow["Condition"].(map[string]interface{})
	source := jsonOf(cond["ArnLike"])
	for _, part := range []string{`":cloudwatch:"`, `{"Ref":"AWS::Region"}`, `{"Ref":"AWS::AccountId"}`, `":alarm:*"`} {
		if !contains(source, part) {
			t.Errorf("aws:SourceArn %s lacks %s", source, part)
		}
	}
	if jsonOf(allow["Resource"]) != jsonOf(ref(topic)) {
		t.Errorf("the Allow's resource is %s, want the topic", jsonOf(allow["Resource"]))
	}
}

func (s *synthesized) topicAllowsCloudWatch(topic string, account interface{}) bool {
	for _, p := range s.ofType("AWS::SNS::TopicPolicy") {
		if containsJSON(p["Topics"], ref(topic)) {
			doc, _ := p["PolicyDocument"].(map[string]interface{})
			if allowsCloudWatch(doc, account, []string{"sns:Publish"}) {
				return true
			}
		}
	}
	return false
}

// allowsCloudWatch: one Allow statement of doc grants the CloudWatch
// service every one of want, conditioned on the source account.
func allowsCloudWatch(doc map[string]interface{}, account interface{}, want []string) bool {
	for _, st := range policyStatements(doc) {
		principal, _ := st["Principal"].(map[string]interface{})
		cond, _ := st["Condition"].(map[string]interface{})
		equals, _ := cond["StringEquals"].(map[string]interface{})
		if st["Effect"] != "Allow" || principal["Service"] != "cloudwatch.amazonaws.com" ||
			jsonOf(equals["aws:SourceAccount"]) != jsonOf(account) {
			continue
		}
		got := actions(st)
		if !slices.ContainsFunc(want, func(a string) bool { return !slices.Contains(got, a) }) {
			return true
		}
	}
	return false
}

func policyStatements(doc interface{}) []map[string]interface{} {
	m, _ := doc.(map[string]interface{})
	list, _ := m["Statement"].([]interface{})
	out := make([]map[string]interface{}, 0, len(list))
	for _, st := range list {
		if st, ok := st.(map[string]interface{}); ok {
			out = append(out, st)
		}
	}
	return out
}
