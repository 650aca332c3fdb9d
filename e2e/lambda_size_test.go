package e2e

import (
	"context"
	"os"
	"testing"

	"github.com/hookrelay/hookrelay/shared/runtimeapi"
)

// overBudget is the ceiling of each Lambda still over SizeBudget, so it
// cannot grow further until it is brought under: api went to 10.44 MB when
// the envelope secret store linked the KMS client (the SDK's schema-based
// serializers put every shape of a service in the binary; README, Developing).
var overBudget = map[string]int{"api": 10<<20 + 1<<19}

// TestLambdaBinariesFitTheBudget builds every Lambda as it is deployed
// (linux/arm64, the Makefile's tags and flags) and fails when one is over
// its size budget. A bigger binary is a slower cold start, and the growth
// can come from far away: html/template once made the linker keep every
// exported method in the api Lambda, 5 MB more, and nothing failed.
func TestLambdaBinariesFitTheBudget(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), lambdaPatience*5)
	defer cancel()
	bins, err := runtimeapi.Build(ctx, "..", t.TempDir(), runtimeapi.Deployed)
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range runtimeapi.Functions {
		info, err := os.Stat(bins[fn])
		if err != nil {
			t.Fatal(err)
		}
		mb := float64(info.Size()) / (1 << 20)
		t.Logf("%s: %.2f MB (%d bytes)", fn, mb, info.Size())
		budget := runtimeapi.SizeBudget
		if ceiling, ok := overBudget[fn]; ok {
			budget = ceiling
		}
		if info.Size() > int64(budget) {
			t.Errorf("functions/%s is %.2f MB for %s/%s, over its %.2f MB budget: see what it links with go build -ldflags=-dumpdep, or whydeadcode",
				fn, mb, runtimeapi.Deployed.OS, runtimeapi.Deployed.Arch, float64(budget)/(1<<20))
		}
	}
}
