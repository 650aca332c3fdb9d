// Command infra is the hookrelay CDK app (`cdk.json`: `go run ./infra`).
// Configuration comes from CDK context; see "Deploying to AWS" in README.md.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/hookrelay/hookrelay/shared/permissions"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	// The Makefile builds bin/<function>/bootstrap; `-c assetDir=...` points
	// elsewhere (CI artifacts, synth checks without a build).
	assetDir := "bin"
	if v, ok := app.Node().TryGetContext(jsii.String(CtxAssetDir)).(string); ok && v != "" {
		assetDir = v
	}
	if _, err := buildApp(app, assetDir); err != nil {
		// A non-zero exit makes `cdk synth`/`cdk deploy` stop with this text.
		fmt.Fprintln(os.Stderr, "hookrelay:", err)
		os.Exit(1)
	}
	app.Synth(nil)
}

// buildApp validates the context, checks the function binaries exist and
// adds the stack with the AwsSolutions checks (unsuppressed findings fail
// synthesis). Tests call it with their own asset dir.
func buildApp(app awscdk.App, assetDir string) (awscdk.Stack, error) {
	settings, err := SettingsFromContext(app.Node())
	if err != nil {
		return nil, fmt.Errorf("invalid context:\n%w", err)
	}
	for name := range permissions.Env {
		if _, err := os.Stat(filepath.Join(assetDir, name, "bootstrap")); err != nil {
			return nil, fmt.Errorf("missing %s/%s/bootstrap: run `make build` first (%w)", assetDir, name, err)
		}
	}
	stack := NewHookrelayStack(app, settings.StackName, &HookrelayStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("hookrelay: multi-tenant webhook delivery"),
		},
		AssetDir: assetDir,
		Settings: settings,
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stack, nil
}
