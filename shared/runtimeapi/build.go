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

// Build compiles every Lambda of the module at moduleDir into
// outDir/<function>/bootstrap for the host's OS and architecture, with the
// flags of the Makefile's build target (which builds for linux/arm64), so
// what runs here is the deployed binary but for its instruction set.
func Build(ctx context.Context, moduleDir, outDir string) (map[string]string, error) {
	bins := make(map[string]string, len(Functions))
	for _, fn := range Functions {
		bin := filepath.Join(outDir, fn, "bootstrap")
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, "./functions/"+fn)
		cmd.Dir = moduleDir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build %s: %w\n%s", fn, err, out)
		}
		bins[fn] = bin
	}
	return bins, nil
}
