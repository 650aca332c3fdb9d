// Command hookrelay is the developer and operator CLI: the local runtime
// (dev), tokens for the local API, a verifying receiver (listen) and DLQ
// tooling. Each subcommand lives in its own file and registers itself.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:           "hookrelay",
	Short:         "Multi-tenant webhook delivery: local runtime and operator tools",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitInterrupted is the status of a command a signal stopped, as a shell
// reports a process killed by SIGINT.
const exitInterrupted = 130

func main() {
	refuseUnknown(rootCmd)
	ctx, stop := interruptible(context.Background())
	err := rootCmd.ExecuteContext(ctx)
	interrupted := errors.Is(context.Cause(ctx), errInterrupted)
	stop()
	switch {
	case err == nil:
	case interrupted:
		fmt.Fprintln(os.Stderr, "error:", interruptedError(ctx, err))
		os.Exit(exitInterrupted)
	default:
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
