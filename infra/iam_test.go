package main

import (
	"slices"
	"strings"
	"testing"
)

// allows reports whether a role's policies allow action on a resource
// (given as its template form, e.g. getAtt(queue, "Arn")).
func (s *synthesized) allows(t testing.TB, roleID, action string, resource interface{}) bool {
	t.Helper()
	want := jsonOf(resource)
	for _, st := range s.statements(t, roleID) {
		if st["Effect"] != "Allow" || !slices.Contains(actions(st), action) {
			continue
		}
		res := st["Resource"]
		list, ok := res.([]interface{})
		if !ok {
			list = []interface{}{res}
		}
		for _, r := range list {
			if jsonOf(r) == want {
				return true
			}
		}
	}
	return false
}

// roleActions lists every action a role is allowed, by service prefix.
func (s *synthesized) roleActions(t testing.TB, roleID, service string) []string {
	var out []string
	for _, st := range s.statements(t, roleID) {
		for _, a := range actions(st) {
			if strings.HasPrefix(a, service+":") {
				out = append(out, a)
			}
		}
	}
	return out
}

type grant struct {
	action   string
	resource interface{}
}

func TestLeastPrivilegeGrants(t *testing.T) {
	s := defaultStack(t)
	table := getAtt(s.id(t, "Table"), "Arn")
	bus := getAtt(s.id(t, "Bus"), "Arn")
	delivery := getAtt(s.id(t, "DeliveryQueue"), "Arn")
	dlq := getAtt(s.id(t, "Dlq"), "Arn")
	ingest := getAtt(s.id(t, "IngestQueue"), "Arn")
	ingestDLQ := getAtt(s.id(t, "IngestDlq"), "Arn")
	want := map[string][]grant{
		"ApiRole": {
			{"dynamodb:PutItem", table}, {"dynamodb:Query", table}, {"dynamodb:DeleteItem", table},
			{"events:PutEvents", bus},
			{"sqs:SendMessage", delivery},
			{"sqs:ReceiveMessage", dlq}, {"sqs:DeleteMessage", dlq}, {"sqs:SendMessage", dlq},
		},
		"FanoutRole": {
			{"dynamodb:Query", table}, {"dynamodb:GetItem", table}, {"dynamodb:PutItem", table},
			{"sqs:ReceiveMessage", ingest}, {"sqs:DeleteMessage", ingest},
			{"sqs:SendMessage", delivery}, {"sqs:SendMessage", ingestDLQ},
		},
		"DeliverRole": {
			{"dynamodb:UpdateItem", table}, {"dynamodb:PutItem", table}, {"dynamodb:DeleteItem", table},
			{"sqs:ReceiveMessage", delivery}, {"sqs:ChangeMessageVisibility", delivery},
			{"sqs:DeleteMessage", delivery}, {"sqs:SendMessage", delivery},
			{"sqs:SendMessage", dlq},
		},
	}
	for role, grants := range want {
		id := s.id(t, role)
		for _, g := range grants {
			if !s.allows(t, id, g.action, g.resource) {
				t.Errorf("%s: missing %s on %s", role, g.action, jsonOf(g.resource))
			}
		}
	}

	// What each function must not be able to do (also implied by
	// TestExactPermissions; kept as readable intent).
	fanout, deliver := s.id(t, "FanoutRole"), s.id(t, "DeliverRole")
	if a := s.roleActions(t, fanout, "secretsmanager"); len(a) > 0 {
		t.Errorf("fanout can use secrets: %v", a)
	}
	for _, a := range []string{"dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"} {
		if s.allows(t, fanout, a, table) {
			t.Errorf("fanout may %s", a)
		}
	}
	if a := s.roleActions(t, fanout, "events"); len(a) > 0 {
		t.Errorf("fanout can publish events: %v", a)
	}
	if a := s.roleActions(t, deliver, "events"); len(a) > 0 {
		t.Errorf("deliver can publish events: %v", a)
	}
	if s.allows(t, deliver, "sqs:ReceiveMessage", dlq) {
		t.Error("deliver can read the DLQ; only operators (api) may")
	}
	for _, role := range []string{"ApiRole", "FanoutRole", "DeliverRole"} {
		if a := s.roleActions(t, s.id(t, role), "sqs"); slices.Contains(a, "sqs:PurgeQueue") {
			t.Errorf("%s may purge a whole queue", role)
		}
	}
}

func TestSecretsScopedToPrefix(t *testing.T) {
	s := synth(t, map[string]interface{}{CtxSecretPrefix: "acme/hooks"})
	wantActions := map[string][]string{
		"ApiRole": {"secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
			"secretsmanager:DeleteSecret", "secretsmanager:TagResource"},
		"DeliverRole": {"secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"},
	}
	for role, want := range wantActions {
		got := s.roleActions(t, s.id(t, role), "secretsmanager")
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s secrets actions = %v, want %v", role, got, want)
		}
		for _, st := range s.statements(t, s.id(t, role)) {
			if len(actions(st)) == 0 || !strings.HasPrefix(actions(st)[0], "secretsmanager:") {
				continue
			}
			res := jsonOf(st["Resource"])
			if !strings.Contains(res, `":secretsmanager:"`) || !strings.Contains(res, `"AWS::Region"`) ||
				!strings.Contains(res, `"AWS::AccountId"`) || !strings.HasSuffix(res, `":secret:acme/hooks/*"]]}`) {
				t.Errorf("%s secrets resource %s is not arn:...:<region>:<account>:secret:acme/hooks/*", role, res)
			}
		}
	}
}

// TestNoWildcardGrants: no role statement allows every action of a service
// or every resource (the secret prefix is the one reviewed wildcard).
func TestNoWildcardGrants(t *testing.T) {
	s := defaultStack(t)
	for _, role := range []string{"ApiRole", "FanoutRole", "DeliverRole"} {
		for _, st := range s.statements(t, s.id(t, role)) {
			for _, a := range actions(st) {
				if strings.HasSuffix(a, "*") {
					t.Errorf("%s: wildcard action %s", role, a)
				}
			}
			if res := jsonOf(st["Resource"]); res == `"*"` || strings.Contains(res, `["*"`) {
				t.Errorf("%s: statement on every resource: %v", role, actions(st))
			}
		}
	}
}

// permissions flattens a role's statements into "action on resource" lines
// (AWS::NoValue placeholders dropped).
func (s *synthesized) permissions(t testing.TB, roleID string) []string {
	var out []string
	for _, st := range s.statements(t, roleID) {
		res, ok := st["Resource"].([]interface{})
		if !ok {
			res = []interface{}{st["Resource"]}
		}
		for _, r := range res {
			if jsonOf(r) == `{"Ref":"AWS::NoValue"}` {
				continue
			}
			for _, a := range actions(st) {
				out = append(out, a+" on "+jsonOf(r))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func on(resource interface{}, actions ...string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a + " on " + jsonOf(resource)
	}
	return out
}

var (
	sqsSend    = []string{"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
	sqsConsume = []string{"sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
	ddbRead    = []string{"dynamodb:BatchGetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Query",
		"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}
	ddbWrite = []string{"dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
	logWrite = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
)

// TestExactPermissions: each role holds exactly the grants its function
// needs; anything added must be added here on purpose.
func TestExactPermissions(t *testing.T) {
	s := defaultStack(t)
	table := getAtt(s.id(t, "Table"), "Arn")
	delivery := getAtt(s.id(t, "DeliveryQueue"), "Arn")
	dlq := getAtt(s.id(t, "Dlq"), "Arn")
	ingest := getAtt(s.id(t, "IngestQueue"), "Arn")
	ingestDLQ := getAtt(s.id(t, "IngestDlq"), "Arn")
	secrets := map[string]interface{}{"Fn::Join": []interface{}{"", []interface{}{
		"arn:", ref("AWS::Partition"), ":secretsmanager:", ref("AWS::Region"), ":", ref("AWS::AccountId"),
		":secret:hookrelay/webhooks/*"}}}
	want := map[string][][]string{
		"ApiRole": {
			on(getAtt(s.id(t, "ApiLogs"), "Arn"), logWrite...),
			on(table, ddbRead...), on(table, ddbWrite...),
			on(secrets, "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
				"secretsmanager:DeleteSecret", "secretsmanager:TagResource"),
			on(getAtt(s.id(t, "Bus"), "Arn"), "events:PutEvents"),
			on(delivery, sqsSend...),
			on(dlq, sqsConsume...), on(dlq, sqsSend...),
		},
		"FanoutRole": {
			on(getAtt(s.id(t, "FanoutLogs"), "Arn"), logWrite...),
			on(table, ddbRead...), on(table, "dynamodb:PutItem"),
			on(ingest, sqsConsume...),
			on(delivery, sqsSend...),
			on(ingestDLQ, sqsSend...),
		},
		"DeliverRole": {
			on(getAtt(s.id(t, "DeliverLogs"), "Arn"), logWrite...),
			on(table, ddbRead...), on(table, ddbWrite...),
			on(delivery, sqsConsume...), on(delivery, sqsSend...),
			on(dlq, sqsSend...),
			on(secrets, "secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"),
		},
	}
	for role, groups := range want {
		var w []string
		for _, g := range groups {
			w = append(w, g...)
		}
		slices.Sort(w)
		w = slices.Compact(w)
		got := s.permissions(t, s.id(t, role))
		for _, p := range got {
			if !slices.Contains(w, p) {
				t.Errorf("%s: unexpected permission %s", role, p)
			}
		}
		for _, p := range w {
			if !slices.Contains(got, p) {
				t.Errorf("%s: missing permission %s", role, p)
			}
		}
	}
}
