package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/permissions"
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

// TestReviewFindingsStayClosed names, as readable intent, the grants a
// review found unused (each also fails TestExactPermissions).
func TestReviewFindingsStayClosed(t *testing.T) {
	s := defaultStack(t)
	table := getAtt(s.id(t, "Table"), "Arn")
	dlq := getAtt(s.id(t, "Dlq"), "Arn")
	api, fanout, deliver := s.id(t, "ApiRole"), s.id(t, "FanoutRole"), s.id(t, "DeliverRole")

	if s.allows(t, api, "sqs:SendMessage", dlq) {
		t.Error("api may send to the DLQ; redrive sends to the delivery queue")
	}
	for _, lane := range s.laneRefs(t, queueArn) {
		if s.allows(t, deliver, "sqs:SendMessage", lane) {
			t.Errorf("deliver may send to delivery lane %s; retries change visibility", jsonOf(lane))
		}
	}
	if !s.allows(t, deliver, "dynamodb:Query", table) {
		t.Error("deliver may not Query the table; a park reads the recover positions it moves back")
	}
	// Deliver queries one kind of item: the recover positions a park moves back.
	for _, st := range s.statements(t, deliver) {
		if slices.Contains(actions(st), "dynamodb:Query") && jsonOf(st["Condition"]) != `{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["PARKSCAN#*"]}}` {
			t.Errorf("deliver may Query items beyond the recover positions: %s", jsonOf(st))
		}
	}
	for _, role := range []string{api, fanout, deliver} {
		for _, a := range s.roleActions(t, role, "dynamodb") {
			if slices.Contains([]string{"dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}, a) ||
				strings.HasPrefix(a, "dynamodb:Batch") || strings.Contains(a, "Stream") || strings.Contains(a, "Shard") || a == "dynamodb:GetRecords" {
				t.Errorf("%s may %s; no function calls it", role, a)
			}
		}
		if a := s.roleActions(t, role, "kms"); len(a) > 0 {
			t.Errorf("%s holds KMS actions %v; nothing it calls uses a customer key", role, a)
		}
		if slices.Contains(s.roleActions(t, role, "sqs"), "sqs:PurgeQueue") {
			t.Errorf("%s may purge a whole queue", role)
		}
	}
	// Fan-out writes only idempotency claims (and confirms them).
	for _, st := range s.statements(t, fanout) {
		writes := slices.Contains(actions(st), "dynamodb:PutItem") || slices.Contains(actions(st), "dynamodb:UpdateItem")
		if writes && jsonOf(st["Condition"]) != `{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["IDEM#*"]}}` {
			t.Errorf("fanout may write items beyond the idempotency claims: %s", jsonOf(st))
		}
	}
	// A record too large for one invocation goes back to the ingest queue
	// with its progress (message.AttrResumeAfter).
	if !s.allows(t, fanout, "sqs:SendMessage", getAtt(s.id(t, "IngestQueue"), "Arn")) {
		t.Error("fanout may not send to the ingest queue; a cut fan-out cannot continue")
	}
	if a := s.roleActions(t, fanout, "secretsmanager"); len(a) > 0 {
		t.Errorf("fanout can use secrets: %v", a)
	}
	if a := s.roleActions(t, fanout, "events"); len(a) > 0 {
		t.Errorf("fanout can publish events: %v", a)
	}
	// Deliver publishes one thing, the webhook.disabled notice, on the
	// stack's own bus.
	bus := jsonOf(getAtt(s.id(t, "Bus"), "Arn"))
	for _, st := range s.statements(t, deliver) {
		for _, a := range actions(st) {
			if strings.HasPrefix(a, "events:") && (a != "events:PutEvents" || jsonOf(st["Resource"]) != bus) {
				t.Errorf("deliver may %s on %s; only PutEvents on the stack's bus", a, jsonOf(st["Resource"]))
			}
		}
	}
	if a := s.roleActions(t, deliver, "events"); !slices.Equal(a, []string{"events:PutEvents"}) {
		t.Errorf("deliver's events actions %v, want PutEvents (health notices)", a)
	}
	// ...and only that notice, under hookrelay's own source, which
	// fan-out trusts: not any tenant's event under it. The API puts any
	// event type, all under that source.
	for role, want := range map[string]string{
		deliver: `{"StringEquals":{"events:detail-type":["webhook.disabled"],"events:source":"hookrelay"}}`,
		api:     `{"StringEquals":{"events:source":"hookrelay"}}`,
	} {
		for _, st := range s.statements(t, role) {
			if slices.Contains(actions(st), "events:PutEvents") && jsonOf(st["Condition"]) != want {
				t.Errorf("%s may put bus entries beyond %s: %s", role, want, jsonOf(st))
			}
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

// permissions flattens a role's statements into "action on resource"
// lines, with " if <condition>" when the statement has one.
func (s *synthesized) permissions(t testing.TB, roleID string) []string {
	var out []string
	for _, st := range s.statements(t, roleID) {
		res, ok := st["Resource"].([]interface{})
		if !ok {
			res = []interface{}{st["Resource"]}
		}
		cond := ""
		if c, ok := st["Condition"]; ok {
			cond = " if " + jsonOf(c)
		}
		for _, r := range res {
			for _, a := range actions(st) {
				out = append(out, a+" on "+jsonOf(r)+cond)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestExactPermissions: each role allows exactly its function's list in
// shared/permissions (which a test there checks against the code), plus
// writing its own log group; nothing else, on no other resource.
func TestExactPermissions(t *testing.T) {
	checkExactPermissions(t, defaultStack(t), config.SecretStoreSecretsManager)
}

// The same with the envelope secret store: the KMS key's grants (with the
// encryption context condition) instead of any Secrets Manager one.
func TestExactPermissionsEnvelope(t *testing.T) {
	checkExactPermissions(t, envelopeStack(t), config.SecretStoreEnvelope)
}

func checkExactPermissions(t *testing.T, s *synthesized, store string) {
	// Each resource's ARNs: the delivery queue is every lane's queue.
	arns := map[permissions.Resource][]interface{}{
		permissions.Table:         {getAtt(s.id(t, "Table"), "Arn")},
		permissions.Bus:           {getAtt(s.id(t, "Bus"), "Arn")},
		permissions.IngestQueue:   {getAtt(s.id(t, "IngestQueue"), "Arn")},
		permissions.IngestDLQ:     {getAtt(s.id(t, "IngestDlq"), "Arn")},
		permissions.DeliveryQueue: s.laneRefs(t, queueArn),
		permissions.DLQ:           {getAtt(s.id(t, "Dlq"), "Arn")},
		permissions.Secrets: {map[string]interface{}{"Fn::Join": []interface{}{"", []interface{}{
			"arn:", ref("AWS::Partition"), ":secretsmanager:", ref("AWS::Region"), ":", ref("AWS::AccountId"),
			":secret:hookrelay/webhooks/*"}}}},
	}
	if config.UsesKMS(store) {
		arns[permissions.SecretsKey] = []interface{}{getAtt(s.id(t, "SecretsKey"), "Arn")}
	}
	// Written out here, not taken from permissions: the deployed condition
	// is what this test holds to.
	webhookContext := map[string]interface{}{
		"ForAllValues:StringEquals": map[string]interface{}{"kms:EncryptionContextKeys": []interface{}{"org", "webhook"}},
		"Null":                      map[string]interface{}{"kms:EncryptionContext:org": "false", "kms:EncryptionContext:webhook": "false"},
	}
	roles := map[string]string{permissions.API: "Api", permissions.Fanout: "Fanout", permissions.Deliver: "Deliver"}
	for _, fn := range permissions.Functions() {
		id := roles[fn]
		var want []string
		for _, a := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
			want = append(want, a+" on "+jsonOf(getAtt(s.id(t, id+"Logs"), "Arn")))
		}
		for _, g := range permissions.Grants(fn, store) {
			cond := ""
			if len(g.LeadingKeys) > 0 {
				patterns := []interface{}{}
				for _, p := range g.LeadingKeys {
					patterns = append(patterns, p+"*")
				}
				cond = " if " + jsonOf(map[string]interface{}{"ForAllValues:StringLike": map[string]interface{}{"dynamodb:LeadingKeys": patterns}})
			}
			if g.WebhookContext {
				cond = " if " + jsonOf(webhookContext)
			}
			if g.Puts != nil {
				equals := map[string]interface{}{"events:source": g.Puts.Source}
				if len(g.Puts.DetailTypes) > 0 {
					equals["events:detail-type"] = g.Puts.DetailTypes
				}
				cond = " if " + jsonOf(map[string]interface{}{"StringEquals": equals})
			}
			for _, a := range g.Actions {
				for _, arn := range arns[g.Resource] {
					want = append(want, a+" on "+jsonOf(arn)+cond)
				}
			}
		}
		slices.Sort(want)
		got := s.permissions(t, s.id(t, id+"Role"))
		for _, p := range got {
			if !slices.Contains(want, p) {
				t.Errorf("%s: unexpected permission %s", id, p)
			}
		}
		for _, p := range slices.Compact(want) {
			if !slices.Contains(got, p) {
				t.Errorf("%s: missing permission %s", id, p)
			}
		}
	}
}

// While migrating, both stores' grants: the bridge writes both and reads
// the source, then the target.
func TestExactPermissionsMigrating(t *testing.T) {
	for _, store := range []string{config.SecretStoreToEnvelope, config.SecretStoreToSecretsManager} {
		t.Run(store, func(t *testing.T) {
			checkExactPermissions(t, synth(t, map[string]interface{}{CtxSecretStore: store}), store)
		})
	}
}

// With the envelope store no role may touch Secrets Manager, deliver may
// only decrypt, and only with the webhook context; api and deliver find
// the key's ARN in their environment.
func TestEnvelopeStoreGrantsAndEnv(t *testing.T) {
	s := envelopeStack(t)
	key := jsonOf(getAtt(s.id(t, "SecretsKey"), "Arn"))
	for _, role := range []string{"ApiRole", "FanoutRole", "DeliverRole"} {
		if a := s.roleActions(t, s.id(t, role), "secretsmanager"); len(a) > 0 {
			t.Errorf("%s may %v in envelope mode", role, a)
		}
		for _, st := range s.statements(t, s.id(t, role)) {
			if slices.ContainsFunc(actions(st), func(a string) bool { return strings.HasPrefix(a, "kms:") }) &&
				(jsonOf(st["Resource"]) != key || st["Condition"] == nil) {
				t.Errorf("%s: KMS statement beyond the secrets key's context grant: %s", role, jsonOf(st))
			}
		}
	}
	if a := s.roleActions(t, s.id(t, "DeliverRole"), "kms"); !slices.Equal(a, []string{"kms:Decrypt"}) {
		t.Errorf("deliver's KMS actions %v, want only kms:Decrypt", a)
	}
	if a := s.roleActions(t, s.id(t, "FanoutRole"), "kms"); len(a) > 0 {
		t.Errorf("fanout's KMS actions %v, want none", a)
	}
	if rot := s.resources[s.id(t, "SecretsKey")]["Properties"].(map[string]interface{})["EnableKeyRotation"]; rot != true {
		t.Errorf("secrets key rotation = %v, want true", rot)
	}
	for fn, path := range functionIDs {
		vars := s.env(t, path)
		wantKey := fn == fnAPI || fn == fnDeliver
		if got, ok := vars[config.EnvSecretKey]; ok != wantKey || (ok && jsonOf(got) != key) {
			t.Errorf("%s: %s = %v, want the key's ARN: %v", fn, config.EnvSecretKey, jsonOf(got), wantKey)
		}
		if wantKey && vars[config.EnvSecretStore] != config.SecretStoreEnvelope {
			t.Errorf("%s: %s = %v", fn, config.EnvSecretStore, vars[config.EnvSecretStore])
		}
	}
}
