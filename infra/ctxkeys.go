package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CtxAssetDir is the app's own key (main.go): where the function binaries are.
const CtxAssetDir = "assetDir"

// maxKeyTypo is how many edits (case aside) make an unknown context key a
// misspelling of a known one.
const maxKeyTypo = 2

// knownContextKeys are every key the stack reads: the ones settingsFrom
// asks for (recorded by running it over an empty context) and assetDir.
func knownContextKeys() []string {
	var keys []string
	_, _ = settingsFrom(func(key string) interface{} {
		keys = append(keys, key)
		return nil
	})
	return append(keys, CtxAssetDir)
}

// checkContextKeys refuses a context key that is not one the stack reads
// but is one mistyped (`-c retryschedule=…`): the stack would deploy the
// default with no word said. Other unknown keys pass (the CDK CLI adds
// some), and so do CDK's own ("@aws-cdk/…" feature flags, "aws:cdk:…").
func checkContextKeys(present []string) error {
	known := knownContextKeys()
	var errs []error
	for _, key := range present {
		if strings.Contains(key, ":") || strings.HasPrefix(key, "@") || slices.Contains(known, key) {
			continue
		}
		if near, ok := nearestKey(key, known); ok {
			errs = append(errs, fmt.Errorf("context %q is not a hookrelay setting: did you mean %q?", key, near))
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// nearestKey is the known key closest to key, case aside, if it is within
// maxKeyTypo edits.
func nearestKey(key string, known []string) (string, bool) {
	best, bestDist := "", maxKeyTypo+1
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best, best != ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
