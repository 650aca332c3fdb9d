package main

import (
	"slices"
	"sort"
	"testing"

	"github.com/hookrelay/hookrelay/shared/app/apiapp"
	"github.com/hookrelay/hookrelay/shared/app/deliverapp"
	"github.com/hookrelay/hookrelay/shared/app/fanoutapp"
	"github.com/hookrelay/hookrelay/shared/config"

	"github.com/hookrelay/hookrelay/shared/permissions"
)

// TestStackSetsWhatEachLambdaRequires: a Lambda fails its cold start
// without its RequiredEnv (no dev defaults there), so the stack must set
// every one of them, and the table and bus wherever a function uses them.
func TestStackSetsWhatEachLambdaRequires(t *testing.T) {
	required := map[string][]string{fnAPI: apiapp.RequiredEnv, fnFanout: fanoutapp.RequiredEnv, fnDeliver: deliverapp.RequiredEnv}
	for fn, names := range required {
		for _, name := range names {
			if !slices.Contains(permissions.Env[fn], name) {
				t.Errorf("%s requires %s, which the stack does not set", fn, name)
			}
		}
		for _, resource := range []string{config.EnvTable, config.EnvEventBus, config.EnvSecretPrefix} {
			if slices.Contains(permissions.Env[fn], resource) && !slices.Contains(names, resource) {
				t.Errorf("%s would fall back to the dev default of %s", fn, resource)
			}
		}
	}
}

// TestFunctionEnvIsConfigContract: permissions.Env per-function lists only name
// variables shared/config reads, and never the dev-only ones.
func TestFunctionEnvIsConfigContract(t *testing.T) {
	names := config.Names()
	for fn, vars := range permissions.Env {
		for _, v := range vars {
			if !slices.Contains(names, v) {
				t.Errorf("%s: %s is not read by shared/config", fn, v)
			}
		}
		for _, devOnly := range []string{config.EnvAddr, config.EnvAllowLoopback, config.EnvDevAudience} {
			if slices.Contains(vars, devOnly) {
				t.Errorf("%s: dev-only %s must never be deployed", fn, devOnly)
			}
		}
	}
}

// TestTemplateEnvMatchesFunctions: each synthesized function sets exactly
// its permissions.Env variables, all from config.Names(), and the values parse
// with shared/config (what the function does at cold start).
func TestTemplateEnvMatchesFunctions(t *testing.T) {
	s := defaultStack(t)
	names := config.Names()
	for fn, path := range functionIDs {
		vars := s.env(t, path)
		var keys []string
		for k := range vars {
			keys = append(keys, k)
			if !slices.Contains(names, k) {
				t.Errorf("%s sets %s, which no function reads (not in config.Names())", fn, k)
			}
		}
		want := slices.Clone(permissions.Env[fn])
		sort.Strings(keys)
		sort.Strings(want)
		if !slices.Equal(keys, want) {
			t.Errorf("%s env keys = %v, want %v", fn, keys, want)
		}
		// Resource references resolve at deploy time; stand in for them.
		lookup := func(k string) (string, bool) {
			v, ok := vars[k]
			if str, isStr := v.(string); isStr {
				return str, ok
			}
			return "resolved-at-deploy", ok
		}
		if _, err := config.FromLookup(lookup); err != nil {
			t.Errorf("%s: deployed environment does not parse: %v", fn, err)
		}
	}
}

// TestEnvValuesPointAtTheRightResources guards against swapped queue URLs.
func TestEnvValuesPointAtTheRightResources(t *testing.T) {
	s := defaultStack(t)
	want := map[string]interface{}{
		config.EnvTable:            ref(s.id(t, "Table")),
		config.EnvEventBus:         ref(s.id(t, "Bus")),
		config.EnvDeliveryQueueURL: s.laneURLs(t),
		config.EnvDLQURL:           ref(s.id(t, "Dlq")),
		config.EnvIngestQueueURL:   ref(s.id(t, "IngestQueue")),
		config.EnvIngestDLQURL:     ref(s.id(t, "IngestDlq")),
		config.EnvRetrySchedule:    "30s,1m0s,2m0s",
		config.EnvHeaderPrefix:     "Hookrelay",
		config.EnvSecretPrefix:     "hookrelay/webhooks",
		config.EnvOrgClaim:         "org_id",
	}
	for fn, path := range functionIDs {
		vars := s.env(t, path)
		for k, v := range vars {
			if w, ok := want[k]; ok && jsonOf(v) != jsonOf(w) {
				t.Errorf("%s: %s = %s, want %s", fn, k, jsonOf(v), jsonOf(w))
			}
		}
	}
	// Fan-out puts a record too large for one invocation back on the
	// ingest queue (fanoutapp requires the URL).
	if _, ok := s.env(t, functionIDs[fnFanout])[config.EnvIngestQueueURL]; !ok {
		t.Errorf("fanout has no %s: a cut fan-out cannot continue", config.EnvIngestQueueURL)
	}
}
