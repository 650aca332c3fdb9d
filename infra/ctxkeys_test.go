package main

import (
	"strings"
	"testing"
)

// A mistyped key would deploy the default without a word: it stops synth,
// naming the key and the one meant. Unknown keys that are no near miss,
// and CDK's own, pass.
func TestMisspeltContextKeysAreRefused(t *testing.T) {
	for key, want := range map[string]string{
		"retryschedule":  CtxRetrySchedule,
		"alarmemail":     CtxAlarmEmail,
		"removalpolicy":  CtxRemovalPolicy,
		"RemovalPolicy":  CtxRemovalPolicy,
		"retrySchedul":   CtxRetrySchedule,
		"alarmEmial":     CtxAlarmEmail,
		"logLevels":      CtxLogLevel,
		"jwt-audience":   CtxJWTAudience,
		"assetdir":       CtxAssetDir,
		"deliverTimeout": CtxDeliveryTimeout,
	} {
		err := checkContextKeys([]string{key})
		if err == nil || !strings.Contains(err.Error(), `"`+key+`"`) || !strings.Contains(err.Error(), `did you mean "`+want+`"`) {
			t.Errorf("context key %q: %v, want an error naming it and suggesting %q", key, err, want)
		}
	}
	cdk := cdkJSON(t).Context
	var present []string
	for key := range cdk {
		present = append(present, key)
	}
	present = append(present, CtxAssetDir, "aws:cdk:enable-path-metadata", "@aws-cdk/core:newStyleStackSynthesis",
		"aws:cdk:logLevel", "@logLevel", "someOtherTool", "bundlingStacks")
	if err := checkContextKeys(present); err != nil {
		t.Errorf("cdk.json's keys, CDK's own and unrelated ones: %v", err)
	}
}

// Through the app, as cdk synth runs it: every misspelling is reported.
func TestBuildAppRefusesMisspeltContextKeys(t *testing.T) {
	app := newTestApp(t, map[string]interface{}{
		"retryschedule": "1s", "alarmemail": "oncall@example.com", CtxLogLevel: "INFO",
	})
	_, err := buildApp(app, assetDir(t))
	for _, want := range []string{`"retryschedule"`, `did you mean "retrySchedule"`, `"alarmemail"`, `did you mean "alarmEmail"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("buildApp: %v, want it to say %s", err, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"loglevel", "loglevels", 1}, {"stagename", "stagenmae", 2}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
