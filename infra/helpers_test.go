package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/config"

	"github.com/hookrelay/hookrelay/shared/permissions"
)

// assetDir makes a stand-in asset root with a dummy bootstrap per function,
// so infra tests never depend on `make build`.
func assetDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for name := range permissions.Env {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "bootstrap"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// synthesized is one app built through buildApp (nag aspect included).
type synthesized struct {
	stack    awscdk.Stack
	template assertions.Template
	// resources is the raw template's Resources section for checks that
	// need to walk values (policies, environment maps).
	resources map[string]map[string]interface{}
}

// synth builds a stack from context; synthesis is slow under jsii, so the
// default-context stack is shared by every test (see defaultStack).
func synth(t testing.TB, context map[string]interface{}) *synthesized {
	t.Helper()
	// Start from cdk.json's context (feature flags change templates) so
	// tests check what `cdk synth` deploys; the test's keys override it
	// like `-c` does.
	merged := cdkJSON(t).Context
	for k, v := range context {
		merged[k] = v
	}
	app := newTestApp(t, merged)
	stack, err := buildApp(app, assetDir(t))
	if err != nil {
		t.Fatalf("buildApp: %v", err)
	}
	tpl := assertions.Template_FromStack(stack, nil)
	raw, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]map[string]interface{}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return &synthesized{stack: stack, template: tpl, resources: doc.Resources}
}

type cdkJSONFile struct {
	App     string                 `json:"app"`
	Context map[string]interface{} `json:"context"`
	Watch   interface{}            `json:"watch"`
}

// cdkJSON reads the repository's cdk.json (tests run in infra/).
func cdkJSON(t testing.TB) cdkJSONFile {
	t.Helper()
	b, err := os.ReadFile("../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	var f cdkJSONFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	return f
}

// sharedStack synthesizes a stack once for every test that asks for it
// (synthesis is slow under jsii).
type sharedStack struct {
	name    string
	context map[string]interface{}
	once    sync.Once
	syn     *synthesized
}

func (s *sharedStack) get(t *testing.T) *synthesized {
	t.Helper()
	s.once.Do(func() { s.syn = synth(t, s.context) })
	if s.syn == nil {
		t.Fatal(s.name + " stack failed to synthesize")
	}
	return s.syn
}

var (
	// The stack as `cdk synth` builds it with an issuer and audience given
	// on the command line and an alarm email.
	defaultShared = sharedStack{name: "default", context: map[string]interface{}{
		CtxJWTIssuer:   "https://auth.example.com/",
		CtxJWTAudience: "hookrelay-api, hookrelay-cli",
		CtxAlarmEmail:  "oncall@example.com",
	}}
	// The same (no alarm email) with secretStore=envelope.
	envelopeShared = sharedStack{name: "envelope", context: map[string]interface{}{
		CtxJWTIssuer:   "https://auth.example.com/",
		CtxJWTAudience: "hookrelay-api, hookrelay-cli",
		CtxSecretStore: "envelope",
	}}
)

func defaultStack(t *testing.T) *synthesized  { return defaultShared.get(t) }
func envelopeStack(t *testing.T) *synthesized { return envelopeShared.get(t) }

// ofType returns the logical ids and properties of every resource of a type.
func (s *synthesized) ofType(typ string) map[string]map[string]interface{} {
	out := map[string]map[string]interface{}{}
	for id, r := range s.resources {
		if r["Type"] == typ {
			props, _ := r["Properties"].(map[string]interface{})
			out[id] = props
		}
	}
	return out
}

func str(v string) *string { return jsii.String(v) }

func obj(m map[string]interface{}) assertions.Matcher { return assertions.Match_ObjectLike(&m) }

func arr(items ...interface{}) assertions.Matcher { return assertions.Match_ArrayWith(&items) }

// id returns the logical id of the construct at path under the stack
// (e.g. "DeliverFunction"), so tests never hard-code hashes.
func (s *synthesized) id(t testing.TB, path string) string {
	t.Helper()
	var c constructs.IConstruct = s.stack
	for _, part := range strings.Split(path, "/") {
		if c = c.Node().TryFindChild(str(part)); c == nil {
			t.Fatalf("no construct %q in the stack", path)
		}
	}
	el, ok := c.Node().DefaultChild().(awscdk.CfnElement)
	if !ok {
		t.Fatalf("construct %q has no CloudFormation resource", path)
	}
	return *s.stack.GetLogicalId(el)
}

// props returns a resource's Properties by logical id.
func (s *synthesized) props(t testing.TB, logicalID string) map[string]interface{} {
	t.Helper()
	r, ok := s.resources[logicalID]
	if !ok {
		t.Fatalf("no resource %s", logicalID)
	}
	p, _ := r["Properties"].(map[string]interface{})
	return p
}

// env returns the environment variables of the function at path.
func (s *synthesized) env(t testing.TB, path string) map[string]interface{} {
	t.Helper()
	env, _ := s.props(t, s.id(t, path))["Environment"].(map[string]interface{})
	vars, ok := env["Variables"].(map[string]interface{})
	if !ok {
		t.Fatalf("function %s has no environment variables", path)
	}
	return vars
}

// deployedConfig reads the function at path's environment as it does at cold start.
func (s *synthesized) deployedConfig(t testing.TB, path string) (config.Config, error) {
	vars := s.env(t, path)
	return config.FromLookup(func(k string) (string, bool) { v, ok := vars[k].(string); return v, ok })
}

// deliveryLanes are the delivery lanes' queue construct ids, lane i at
// index i. Written out, not derived from laneID: lane 0 keeps the id the
// stack had before lanes (an upgraded stack keeps its queue and messages).
var deliveryLanes = []string{"DeliveryQueue", "DeliveryQueueLane1", "DeliveryQueueLane2", "DeliveryQueueLane3"}

// laneRefs maps each delivery lane's queue logical id through f, lane order.
func (s *synthesized) laneRefs(t testing.TB, f func(id string) map[string]interface{}) []interface{} {
	t.Helper()
	out := make([]interface{}, len(deliveryLanes))
	for i, q := range deliveryLanes {
		out[i] = f(s.id(t, q))
	}
	return out
}

// laneURLs is the template form of config.EnvDeliveryQueueURL and the
// DeliveryQueueUrl output: the lanes' URLs joined with commas, lane 0 first.
func (s *synthesized) laneURLs(t testing.TB) map[string]interface{} {
	t.Helper()
	return map[string]interface{}{"Fn::Join": []interface{}{",", s.laneRefs(t, ref)}}
}

func queueArn(id string) map[string]interface{} { return getAtt(id, "Arn") }

// ref and getAtt build the intrinsic forms the template uses.
func ref(id string) map[string]interface{} { return map[string]interface{}{"Ref": id} }

func getAtt(id, attr string) map[string]interface{} {
	return map[string]interface{}{"Fn::GetAtt": []interface{}{id, attr}}
}

// statements returns the policy statements attached to a role.
func (s *synthesized) statements(t testing.TB, roleID string) []map[string]interface{} {
	t.Helper()
	var out []map[string]interface{}
	for _, p := range s.ofType("AWS::IAM::Policy") {
		attached := false
		for _, r := range p["Roles"].([]interface{}) {
			if m, ok := r.(map[string]interface{}); ok && m["Ref"] == roleID {
				attached = true
			}
		}
		if !attached {
			continue
		}
		for _, st := range p["PolicyDocument"].(map[string]interface{})["Statement"].([]interface{}) {
			out = append(out, st.(map[string]interface{}))
		}
	}
	return out
}

// actions lists a statement's actions whatever their JSON shape.
func actions(st map[string]interface{}) []string {
	switch a := st["Action"].(type) {
	case string:
		return []string{a}
	case []interface{}:
		out := make([]string, len(a))
		for i, v := range a {
			out[i] = v.(string)
		}
		return out
	}
	return nil
}

// jsonOf renders any template value for substring checks.
func jsonOf(v interface{}) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func num(v interface{}) float64 {
	f, _ := v.(float64)
	return f
}

// assertionsWarnings lists the stack's warning messages.
func assertionsWarnings(s *synthesized) *[]string {
	var out []string
	for _, m := range *assertions.Annotations_FromStack(s.stack).FindWarning(str("*"), assertions.Match_AnyValue()) {
		out = append(out, fmt.Sprint(m.Entry.Data))
	}
	return &out
}

// newTestApp is an app whose assembly goes to a folder of its own under
// testOutdir, which TestMain removes: an app without an outdir leaves a
// cdk.out* folder in the system's temporary folder at every synthesis. A
// test's own TempDir would not do: shared stacks outlive the test that
// synthesized them.
func newTestApp(t testing.TB, context map[string]interface{}) awscdk.App {
	t.Helper()
	dir, err := os.MkdirTemp(testOutdir, "app-")
	if err != nil {
		t.Fatal(err)
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(dir)})
}

// testOutdir holds every test app's cloud assembly.
var testOutdir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hookrelay-infra-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testOutdir = dir
	code := m.Run()
	// Stops the jsii kernel, which removes the runtime it unpacked into the
	// system's temporary folder.
	jsii.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}
