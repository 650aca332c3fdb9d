package e2e

import (
	"context"
	"os"
	"testing"

	"github.com/hookrelay/hookrelay/shared/runtimeapi"
)

// TestLambdaBinariesFitTheBudget builds every Lambda as it is deployed
// (linux/arm64, the Makefile's tags and flags) and fails when one is over
// its size budget. A bigger binary is a slower cold start, and the growth
// can come from far away: html/template once made the linker keep every
// exported method in the api Lambda, 5 MB more, and nothing failed.
func TestLambdaBinariesFitTheBudget(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), buildPatience)
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
		if info.Size() > runtimeapi.SizeBudget {
			t.Errorf("functions/%s is %.2f MB for %s/%s, over the %d MB budget: see what it links with go build -ldflags=-dumpdep, or whydeadcode; "+
				"an AWS SDK service module past its schema-based serde release adds 0.1 to 0.4 MB (README, Developing)",
				fn, mb, runtimeapi.Deployed.OS, runtimeapi.Deployed.Arch, runtimeapi.SizeBudget>>20)
		}
	}
}
