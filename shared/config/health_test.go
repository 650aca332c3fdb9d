package config

import (
	"strings"
	"testing"
	"time"
)

func TestHealthKnobsDefaultsAndOff(t *testing.T) {
	c, err := FromLookup(lookupOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DisableAfter != 120*time.Hour || c.DisableMinFailures != 20 || c.ParkedTTL != 168*time.Hour || !c.AutoDisable() {
		t.Fatalf("defaults: after %s, min %d, parked %s, on %v", c.DisableAfter, c.DisableMinFailures, c.ParkedTTL, c.AutoDisable())
	}
	for _, env := range []map[string]string{
		{EnvDisableAfter: "0"}, {EnvDisableMinFailures: "0"}, {EnvDisableAfter: "0s", EnvDisableMinFailures: "3"},
	} {
		c, err := FromLookup(lookupOf(env))
		if err != nil {
			t.Fatalf("%v: %v", env, err)
		}
		if c.AutoDisable() {
			t.Errorf("%v: auto-disable still on", env)
		}
	}
	c, err = FromLookup(lookupOf(map[string]string{EnvRetrySchedule: "1s", EnvDisableAfter: "2s", EnvDisableMinFailures: "3", EnvParkedTTL: "1h"}))
	if err != nil || c.DisableAfter != 2*time.Second || c.DisableMinFailures != 3 || c.ParkedTTL != time.Hour || !c.AutoDisable() {
		t.Fatalf("set: %+v, %v", c, err)
	}
}

func TestHealthKnobsRejectBadValues(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{EnvDisableAfter, "-1h"}, {EnvDisableAfter, "soon"},
		{EnvDisableMinFailures, "-2"}, {EnvDisableMinFailures, "many"},
		{EnvParkedTTL, "0"}, {EnvParkedTTL, "-1h"},
	} {
		_, err := FromLookup(lookupOf(map[string]string{tc.name: tc.value}))
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s=%q: error %v, want one naming the variable", tc.name, tc.value, err)
		}
	}
}

// A run's first dead letter leaves the DLQ DLQRetention after it was
// dead-lettered: a longer autoDisableAfter would make the disable come
// after the run's first dead letters are gone, and Recover could not bring
// back the whole run.
func TestDisableAfterBoundedByDeadLetterRetention(t *testing.T) {
	if _, err := FromLookup(lookupOf(map[string]string{EnvDisableAfter: MaxDisableAfter.String()})); err != nil {
		t.Fatalf("%s=%s (the limit itself): %v", EnvDisableAfter, MaxDisableAfter, err)
	}
	_, err := FromLookup(lookupOf(map[string]string{EnvDisableAfter: "504h"}))
	if err == nil || !strings.Contains(err.Error(), EnvDisableAfter) || !strings.Contains(err.Error(), "312h0m0s") {
		t.Fatalf("%s=504h: error %v, want one naming the variable and the limit 312h0m0s", EnvDisableAfter, err)
	}
}
