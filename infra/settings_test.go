package main

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func lookupMap(m map[string]interface{}) func(string) interface{} {
	return func(k string) interface{} { return m[k] }
}

func TestSettingsDefaults(t *testing.T) {
	s, err := settingsFrom(lookupMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, DefaultSettings()) {
		t.Errorf("empty context = %+v, want defaults", s)
	}
}

// TestCDKJSONMatchesDefaults: cdk.json documents the defaults; it must not
// drift from the code, must run the Go app, and must not enable watch.
func TestCDKJSONMatchesDefaults(t *testing.T) {
	f := cdkJSON(t)
	if f.App != "go run ./infra" {
		t.Errorf("cdk.json app = %q", f.App)
	}
	if f.Watch != nil {
		t.Error("cdk.json must not configure watch")
	}
	s, err := settingsFrom(lookupMap(f.Context))
	if err != nil {
		t.Fatalf("cdk.json context: %v", err)
	}
	if !reflect.DeepEqual(s, DefaultSettings()) {
		t.Errorf("cdk.json context = %+v\nwant %+v", s, DefaultSettings())
	}
}

func TestSettingsFromContextValues(t *testing.T) {
	s, err := settingsFrom(lookupMap(map[string]interface{}{
		CtxJWTIssuer:       "https://tenant.auth0.com/",
		CtxJWTAudience:     []interface{}{"a", "b"}, // list form from cdk.json
		CtxRetrySchedule:   " 10s, 1m ",
		CtxMaxWebhooks:     float64(7), // number form from cdk.json
		CtxHeaderPrefix:    "Aigeon",
		CtxRemovalPolicy:   "destroy",
		CtxDeliveryTimeout: "15s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.JWTIssuer != "https://tenant.auth0.com/" || !reflect.DeepEqual(s.JWTAudience, []string{"a", "b"}) ||
		!reflect.DeepEqual(s.RetrySchedule, []time.Duration{10 * time.Second, time.Minute}) ||
		s.MaxWebhooksPerOrg != 7 || s.HeaderPrefix != "Aigeon" || s.RemovalPolicy != "destroy" ||
		s.DeliveryTimeout != 15*time.Second {
		t.Errorf("parsed %+v", s)
	}
	s, err = settingsFrom(lookupMap(map[string]interface{}{CtxOperatorScope: "https://api.example.com/hookrelay:admin"}))
	if err != nil || s.OperatorScope != "https://api.example.com/hookrelay:admin" {
		t.Errorf("operator scope = %q, %v", s.OperatorScope, err)
	}
	s, err = settingsFrom(lookupMap(map[string]interface{}{CtxJWTAudience: "x, y ,"}))
	if err != nil || !reflect.DeepEqual(s.JWTAudience, []string{"x", "y"}) {
		t.Errorf("comma-separated audience = %v, %v", s.JWTAudience, err)
	}
	// cdk.json's "none": empty where none is allowed.
	s, err = settingsFrom(lookupMap(map[string]interface{}{CtxAlarmEmail: "", CtxPortalLogoURL: " ", CtxPortalFrameAncestors: []interface{}{}}))
	if err != nil || s.AlarmEmail != "" || s.Portal.LogoURL != "" || len(s.Portal.FrameAncestors) != 0 {
		t.Errorf("empty optional keys = %q %q %v, %v", s.AlarmEmail, s.Portal.LogoURL, s.Portal.FrameAncestors, err)
	}
}

// TestInvalidContextFailsSynthesis: each bad value stops buildApp (so `cdk
// synth` exits non-zero) with an error naming the key and the problem.
// TestAutoDisableOffIsDeployedAsZero: 0 turns auto-disable off in the
// deployed deliver function too (an empty value would mean the default).
func TestAutoDisableOffIsDeployedAsZero(t *testing.T) {
	s := synth(t, map[string]interface{}{CtxDisableAfter: "0", CtxDisableMinFailures: float64(0), CtxParkedTTL: "48h"})
	c, err := s.deployedConfig(t, functionIDs[fnDeliver])
	if err != nil || c.AutoDisable() || c.ParkedTTL != 48*time.Hour {
		t.Fatalf("deployed %v: auto-disable %v, parked %s, %v; want off and 48h", s.env(t, functionIDs[fnDeliver]), c.AutoDisable(), c.ParkedTTL, err)
	}
}

// TestOrgRateLimitReachesTheAPIFunction: the api function reads the
// per-organization limit from the context (25 by default, 0 for none).
func TestOrgRateLimitReachesTheAPIFunction(t *testing.T) {
	for _, c := range []struct {
		ctx  map[string]interface{}
		want int
	}{{nil, 25}, {map[string]interface{}{CtxOrgRateLimit: float64(0)}, 0}, {map[string]interface{}{CtxOrgRateLimit: "7"}, 7}} {
		s := synth(t, c.ctx)
		cfg, err := s.deployedConfig(t, functionIDs[fnAPI])
		if err != nil || cfg.OrgRateLimit != c.want {
			t.Errorf("context %v: api function's limit %d (%v), want %d", c.ctx, cfg.OrgRateLimit, err, c.want)
		}
	}
}

func TestInvalidContextFailsSynthesis(t *testing.T) {
	cases := []struct {
		key   string
		value interface{}
		want  string
	}{
		{CtxRetrySchedule, "30s,soon", `"retrySchedule"="30s,soon"`},
		{CtxRetrySchedule, "30s,13h", "must be in (0, 10h]"},
		{CtxRetrySchedule, "30s,12h", "must be in (0, 10h]"},
		{CtxRetrySchedule, "10h,10h,10h,10h,10h,10h,6h", "must fit in 72h"},
		{CtxRemovalPolicy, "retian", `"retian" must be retain or destroy`},
		{CtxLogLevel, "TRACE", `"TRACE" must be DEBUG, INFO, WARN or ERROR`},
		{CtxLogLevel, "info", `"info" must be DEBUG, INFO, WARN or ERROR`},
		{CtxJWTIssuer, "http://auth.example.com/", "must be an https:// URL"},
		{CtxJWTAudience, " , ", "at least one audience"},
		{CtxDeliveryTimeout, "10m", "must be whole seconds in (0, 5m]"},
		// The deliver function's timeout (this + 20 s) must be whole seconds.
		{CtxDeliveryTimeout, "1500ms", "must be whole seconds in (0, 5m]"},
		{CtxJWTIssuer, "https://", "with a host"},
		// A key given empty is not the default: refused where a value is required.
		{CtxPortalProductName, "   ", "printable characters"},
		{CtxOrgClaim, "", "must not be empty"},
		{CtxOperatorValue, " ", "must not be empty"},
		// The org claim is org_id by default: an org named "operator" would be an operator.
		{CtxOperatorClaim, "org_id", "must differ from the organization claim"},
		{CtxStackName, "", "not a valid stack name"},
		{CtxJWTAudience, "", "at least one audience"},
		{CtxDeliveryTimeout, "", "invalid duration"},
		{CtxMaxWebhooks, "", `"maxWebhooksPerOrg"=""`},
		{CtxMaxWebhooks, "lots", `"maxWebhooksPerOrg"="lots"`},
		{CtxHeaderPrefix, "X Bad", "letters, digits"},
		{CtxSecretPrefix, "hooks/*", "without wildcards"},
		{CtxSecretStore, "kms", `"kms" must be secretsmanager, envelope, migrating-to-envelope or migrating-to-secretsmanager`},
		{CtxStageName, "my stage", "stageName"},
		{CtxFanoutReserved, "1", "2..1000"},
		{CtxAPIReserved, float64(-1), "0 (no reservation) or 1..1000"},
		{CtxAPIReserved, "1001", "0 (no reservation) or 1..1000"},
		// 7 over 4 lanes would leave each lane's event source 1, under SQS's minimum of 2.
		{CtxDeliverConcurrency, "7", "8..1000: it is split evenly over the 4 delivery lanes"},
		{CtxFanoutBatchWindow, "1500ms", "whole seconds"},
		{CtxDeliverBatchWindow, "6m", "whole seconds in [0s, 5m0s]"},
		{CtxAlarmEmail, "oncall", "not an email"},
		{CtxAlarmEmail, "@", "not an email"},
		{CtxAlarmEmail, "On call <oncall@example.com>", "not an email"},
		{CtxOperatorScope, "hookrelay/operator extra", "one OAuth scope"},
		{CtxOperatorScope, `say"what`, "one OAuth scope"},
		{CtxOrgRateLimit, float64(-1), "0 (no limit) to 10000"},
		{CtxDisableAfter, "-1h", "0 (off) or positive"},
		{CtxDisableAfter, "504h", "at most 312h0m0s"},
		{CtxDisableMinFailures, float64(-3), "0 (off) or positive"},
		{CtxParkedTTL, "10m", "at least 1h"},
		{CtxPortalProductName, strings.Repeat("n", 61), "printable characters"},
		{CtxPortalAccentColor, "purple", "a colour like #4f46e5"},
		{CtxPortalLogoURL, "http://cdn.example.com/logo.png", "https:// image URL"},
		{CtxPortalFrameAncestors, "https://app.example.com,*", "https origin"},
		{CtxPortalFrameAncestors, "http://127.0.0.1:19080", "https origin"}, // make dev's only
		// Deploy-time limits: SQS's maxReceiveCount
		// of 1000, and Lambda's 4 KB of variables once the queues' URLs
		// are resolved (3.3 KB of origins synthesized and failed the deploy).
		{CtxRetrySchedule, strings.TrimSuffix(strings.Repeat("1s,", 990), ","), "over the 1000 SQS allows"},
		{CtxPortalFrameAncestors, manyOrigins(60), "over Lambda's 4096"},
		{CtxPortalLogoURL, "https://cdn.example.com/" + strings.Repeat("l", 3500) + ".png", "over Lambda's 4096"},
	}
	dir := assetDir(t)
	for _, c := range cases {
		app := newTestApp(t, map[string]interface{}{c.key: c.value})
		_, err := buildApp(app, dir)
		if err == nil {
			t.Errorf("%s=%v: synthesis accepted it", c.key, c.value)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%s=%v: error %q lacks %q", c.key, c.value, err, c.want)
		}
	}
}

func TestMissingBinariesFailWithHint(t *testing.T) {
	app := newTestApp(t, nil)
	_, err := buildApp(app, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "make build") {
		t.Errorf("error = %v, want a hint to run make build", err)
	}
}

func TestInvalidSettingsPanicInConstructor(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "removalPolicy") {
			t.Errorf("recover = %v, want a panic naming removalPolicy", r)
		}
	}()
	s := DefaultSettings()
	s.RemovalPolicy = "sometimes"
	NewHookrelayStack(newTestApp(t, nil), "Bad", &HookrelayStackProps{AssetDir: os.TempDir(), Settings: s})
}

// The placeholder issuer synthesizes (make synth needs no flags) but warns.
func TestPlaceholderIssuerWarns(t *testing.T) {
	s := synth(t, nil)
	found := false
	for _, m := range *assertionsWarnings(s) {
		if strings.Contains(m, "jwtIssuer is not set") {
			found = true
		}
	}
	if !found {
		t.Error("no warning for the placeholder issuer")
	}
}

// manyOrigins is n https origins of about 50 bytes each.
func manyOrigins(n int) string {
	origins := make([]string, n)
	for i := range origins {
		origins[i] = fmt.Sprintf("https://tenant%02d.customer-dashboards.example.com", i)
	}
	return strings.Join(origins, ",")
}
