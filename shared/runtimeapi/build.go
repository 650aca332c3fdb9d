package runtimeapi

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Functions are the Lambdas under functions/, by directory name.
var Functions = []string{"api", "deliver", "fanout"}

// BuildTags are each Lambda's build tags, as the Makefile's build target
// sets them (a test compares the two). lambda.norpc: the provided.al2023
// runtime never uses aws-lambda-go's RPC mode. nethttpomithttp2 leaves
// net/http's bundled HTTP/2 out (about 320 KB) of the Lambdas whose only
// HTTP peers are AWS APIs, which all speak HTTP/1.1; deliver keeps HTTP/2
// for webhook endpoints.
var BuildTags = map[string]string{
	"api":     "lambda.norpc,nethttpomithttp2",
	"deliver": "lambda.norpc",
	"fanout":  "lambda.norpc,nethttpomithttp2",
}

// GCFlags are compiler flags for one Lambda's build, one -gcflags
// argument each, as the Makefile's GCFLAGS_<function> lines set them (a
// test compares the two). The api compiles without inlining hookrelay's
// own packages, which render the portal's pages and answer REST calls,
// and the AWS SDK's service clients, whose generated serializers and
// middleware stacks wrap network calls of milliseconds: inlining buys
// nothing measurable in either, and keeps the binary under SizeBudget
// (hookrelay's packages about 33 KB of code, the SDK's service clients
// 140 KB of code and 130 KB of tables: four of the file's 64 KB steps).
// deliver and fanout, the delivery path, keep inlining.
var GCFlags = map[string][]string{
	"api": {"-gcflags=github.com/hookrelay/hookrelay/...=-l", "-gcflags=github.com/aws/aws-sdk-go-v2/service/...=-l"},
}

// SizeBudget is the most a bootstrap built for Deployed may weigh (10 MB
// as make bench prints sizes, in units of 2^20 bytes).
const SizeBudget = 10 << 20

// BuildFlags are the other flags of the Makefile's build target.
var BuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// Deployed is what the stack runs: Lambda on arm64 (Graviton).
var Deployed = Target{OS: "linux", Arch: "arm64"}

// Host is this machine, where a built bootstrap can run.
var Host = Target{OS: runtime.GOOS, Arch: runtime.GOARCH}

// Target is an operating system and architecture to build for.
type Target struct{ OS, Arch string }

// Build compiles every Lambda of the module at moduleDir into
// outDir/<function>/bootstrap for target, with the Makefile's build flags
// (the Makefile builds for Deployed; tests that run the binaries build
// for Host, so what runs is the deployed binary but for its instruction
// set).
func Build(ctx context.Context, moduleDir, outDir string, target Target) (map[string]string, error) {
	bins := make(map[string]string, len(Functions))
	for _, fn := range Functions {
		bin := filepath.Join(outDir, fn, "bootstrap")
		if err := BuildMain(ctx, moduleDir, "./functions/"+fn, bin, target, BuildTags[fn], GCFlags[fn]...); err != nil {
			return nil, err
		}
		bins[fn] = bin
	}
	return bins, nil
}

// BuildMain compiles the main package pkg (a path relative to moduleDir)
// into bin for target, with tags, gcflags and BuildFlags: one Lambda's
// build.
func BuildMain(ctx context.Context, moduleDir, pkg, bin string, target Target, tags string, gcflags ...string) error {
	args := append([]string{"build", "-tags", tags}, gcflags...)
	args = append(args, BuildFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, "-o", bin, pkg)...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+target.OS, "GOARCH="+target.Arch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %w\n%s", pkg, err, out)
	}
	return nil
}
