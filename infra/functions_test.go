package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/hookrelay/hookrelay/shared/config"
)

var functionIDs = map[string]string{fnAPI: "ApiFunction", fnFanout: "FanoutFunction", fnDeliver: "DeliverFunction"}

func TestFunctionsRuntimeAndLogging(t *testing.T) {
	s := defaultStack(t)
	for name, path := range functionIDs {
		fn := s.props(t, s.id(t, path))
		if fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" || jsonOf(fn["Architectures"]) != `["arm64"]` {
			t.Errorf("%s: runtime %v handler %v arch %v", name, fn["Runtime"], fn["Handler"], fn["Architectures"])
		}
		if num(fn["MemorySize"]) < 128 || num(fn["Timeout"]) <= 0 {
			t.Errorf("%s: memory %v timeout %v must be explicit", name, fn["MemorySize"], fn["Timeout"])
		}
		lc, _ := fn["LoggingConfig"].(map[string]interface{})
		if lc["LogFormat"] != "JSON" {
			t.Errorf("%s: LogFormat = %v, want JSON", name, lc["LogFormat"])
		}
		// Logs go to the function's own group, with a retention.
		logs := s.id(t, strings.TrimSuffix(path, "Function")+"Logs")
		if jsonOf(lc["LogGroup"]) != jsonOf(ref(logs)) {
			t.Errorf("%s: LogGroup = %v, want its own %s", name, lc["LogGroup"], logs)
		}
		if num(s.props(t, logs)["RetentionInDays"]) <= 0 {
			t.Errorf("%s: log group without retention", name)
		}
	}
	// The API answers within API Gateway's 30 s integration limit.
	if to := num(s.props(t, s.id(t, "ApiFunction"))["Timeout"]); to >= 30 {
		t.Errorf("api timeout %v s, want < 30", to)
	}
}

// Fan-out's reservation caps a burst of producer events; the api
// function's keeps tenants' API traffic from taking the account's
// concurrency from deliver and fan-out. 0 reserves nothing.
func TestReservedConcurrency(t *testing.T) {
	s := defaultStack(t)
	for _, c := range []struct {
		function, key, description string
		want                       float64
	}{
		{"FanoutFunction", CtxFanoutReserved, "fan-out", 5},
		{"ApiFunction", CtxAPIReserved, "tenant and admin API", 50},
	} {
		if rc := s.props(t, s.id(t, c.function))["ReservedConcurrentExecutions"]; num(rc) != c.want {
			t.Errorf("%s reserved concurrency = %v, want %v", c.function, rc, c.want)
		}
		s0 := synth(t, map[string]interface{}{c.key: "0"})
		s0.template.HasResourceProperties(str("AWS::Lambda::Function"), obj(map[string]interface{}{
			"Description":                  assertions.Match_StringLikeRegexp(str(c.description)),
			"ReservedConcurrentExecutions": assertions.Match_Absent(),
		}))
	}
}

func TestEventSources(t *testing.T) {
	s := defaultStack(t)
	s.template.HasResourceProperties(str("AWS::Lambda::EventSourceMapping"), obj(map[string]interface{}{
		"FunctionName":                   ref(s.id(t, "FanoutFunction")),
		"EventSourceArn":                 getAtt(s.id(t, "IngestQueue"), "Arn"),
		"BatchSize":                      10,
		"MaximumBatchingWindowInSeconds": 1,
		"FunctionResponseTypes":          []interface{}{"ReportBatchItemFailures"},
		"ScalingConfig":                  map[string]interface{}{"MaximumConcurrency": 5},
	}))
	// The deliver function's sources, one per lane: lanes_test.go.
}

// TestBatchWindowsFollowContext: each source takes its own window, 0 none,
// and the queue's visibility covers the window on top of 6 × the timeout.
func TestBatchWindowsFollowContext(t *testing.T) {
	s := synth(t, map[string]interface{}{CtxFanoutBatchWindow: "0s", CtxDeliverBatchWindow: "20s"})
	s.template.HasResourceProperties(str("AWS::Lambda::EventSourceMapping"), obj(map[string]interface{}{
		"FunctionName":                   ref(s.id(t, "FanoutFunction")),
		"MaximumBatchingWindowInSeconds": assertions.Match_Absent(),
	}))
	s.template.HasResourceProperties(str("AWS::Lambda::EventSourceMapping"), obj(map[string]interface{}{
		"FunctionName":                   ref(s.id(t, "DeliverFunction")),
		"MaximumBatchingWindowInSeconds": 20,
	}))
	// The deliver function leaves the window out of SQS's 12 h (budget.go).
	deliver := s.props(t, s.id(t, "DeliverFunction"))
	if v := s.env(t, "DeliverFunction")[config.EnvDeliverBatchWindow]; v != "20s" {
		t.Errorf("deliver's %s = %v, want 20s", config.EnvDeliverBatchWindow, v)
	}
	timeout := num(deliver["Timeout"])
	for _, lane := range deliveryLanes {
		if vis := num(s.props(t, s.id(t, lane))["VisibilityTimeout"]); vis < 6*timeout+20 {
			t.Errorf("%s visibility %vs < 6 x %vs + the 20 s window", lane, vis, timeout)
		}
	}
}

// TestLogLevelsFollowContext: every function logs JSON at the logLevel
// setting (INFO unless set) and Lambda's own lines at WARN, which keeps
// START/END/REPORT out of the log groups.
func TestLogLevelsFollowContext(t *testing.T) {
	for _, c := range []struct {
		ctx  map[string]interface{}
		want string
	}{{nil, "INFO"}, {map[string]interface{}{CtxLogLevel: "DEBUG"}, "DEBUG"}} {
		s := synth(t, c.ctx)
		for _, fn := range functionIDs {
			got := s.props(t, s.id(t, fn))["LoggingConfig"]
			want := map[string]interface{}{"LogFormat": "JSON", "ApplicationLogLevel": c.want, "SystemLogLevel": "WARN"}
			if cfg, ok := got.(map[string]interface{}); !ok || cfg["LogFormat"] != want["LogFormat"] ||
				cfg["ApplicationLogLevel"] != want["ApplicationLogLevel"] || cfg["SystemLogLevel"] != want["SystemLogLevel"] {
				t.Errorf("context %v: %s LoggingConfig = %v, want %v", c.ctx, fn, got, want)
			}
		}
	}
}

// TestDeliveryTimingsFollowContext: a longer delivery timeout lengthens the
// deliver function and, with it, the queue's visibility.
func TestDeliveryTimingsFollowContext(t *testing.T) {
	s := synth(t, map[string]interface{}{CtxDeliveryTimeout: "40s", CtxRetrySchedule: "1m,2m,4m,8m,16m,32m,1h,2h,4h,8h,10h"})
	fn := s.props(t, s.id(t, "DeliverFunction"))
	if num(fn["Timeout"]) < 40 {
		t.Errorf("deliver timeout %v < delivery timeout 40s", fn["Timeout"])
	}
	for _, lane := range deliveryLanes {
		q := s.props(t, s.id(t, lane))
		if num(q["VisibilityTimeout"]) < 6*num(fn["Timeout"]) {
			t.Errorf("%s visibility %v < 6 x %v", lane, q["VisibilityTimeout"], fn["Timeout"])
		}
		// 11 retries = 12 receives: the SQS safety net must not fire first.
		if mrc := num(q["RedrivePolicy"].(map[string]interface{})["maxReceiveCount"]); mrc <= 12 {
			t.Errorf("%s maxReceiveCount %v would redrive before the schedule ends", lane, mrc)
		}
	}
}

// TestOneRolePerFunction: no role is shared and none has managed policies
// (AWSLambdaBasicExecutionRole would allow writing to any log group).
func TestOneRolePerFunction(t *testing.T) {
	s := defaultStack(t)
	seen := map[string]string{}
	for name, path := range functionIDs {
		role := jsonOf(s.props(t, s.id(t, path))["Role"])
		if other, dup := seen[role]; dup {
			t.Errorf("%s and %s share role %s", name, other, role)
		}
		seen[role] = name
	}
	for id, p := range s.ofType("AWS::IAM::Role") {
		if p["ManagedPolicyArns"] != nil {
			t.Errorf("role %s has managed policies %v", id, p["ManagedPolicyArns"])
		}
	}
}
