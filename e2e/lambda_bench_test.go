package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/runtimeapi"
)

// BenchmarkLambdaColdStart reports each bootstrap's init duration (process
// start to its first GET /next, the median of b.N cold starts; goal
// ≤ 15 ms) and its size for this machine's architecture (make bench also
// prints the arm64 sizes that deploy; goal ≤ 10 MB). Init makes no AWS
// call: every endpoint is one that fails the benchmark if called.
//
// "floor" is a function that does nothing (testdata/noopfunction), built
// with the same flags: no Go Lambda starts faster on the machine, so the
// others' figures are read against it.
func BenchmarkLambdaColdStart(b *testing.B) {
	bins := bootstraps(b)
	bins[floor] = floorBootstrap(b)
	settings := map[string]string{}
	for _, env := range []string{config.EnvIngestQueueURL, config.EnvIngestDLQURL, config.EnvDeliveryQueueURL, config.EnvDLQURL} {
		settings[env] = "http://127.0.0.1:1/100010001000/unused"
	}
	env := lambdaEnv(unexpectedAWS(b), nil, settings)
	for _, fn := range append([]string{floor}, runtimeapi.Functions...) {
		b.Run(fn, func(b *testing.B) {
			info, err := os.Stat(bins[fn])
			if err != nil {
				b.Fatal(err)
			}
			var inits []time.Duration
			for b.Loop() {
				inits = append(inits, coldStart(b, bins[fn], env))
			}
			slices.Sort(inits)
			b.ReportMetric(float64(inits[len(inits)/2].Microseconds())/1000, "init-ms")
			b.ReportMetric(float64(info.Size())/(1<<20), "MB")
		})
	}
}

func coldStart(b *testing.B, bin string, env []string) time.Duration {
	f, err := runtimeapi.Start(bin, env)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), lambdaPatience)
	defer cancel()
	d, err := f.InitDuration(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

const floor = "floor"

// floorBootstrap builds testdata/noopfunction beside the bootstraps, with
// the build tag every Lambda has.
func floorBootstrap(b *testing.B) string {
	bin := filepath.Join(bootstrapDir, floor, "bootstrap")
	ctx, cancel := context.WithTimeout(context.Background(), buildPatience)
	defer cancel()
	if err := runtimeapi.BuildMain(ctx, "..", "./e2e/testdata/noopfunction", bin, runtimeapi.Host, "lambda.norpc"); err != nil {
		b.Fatal(err)
	}
	return bin
}
