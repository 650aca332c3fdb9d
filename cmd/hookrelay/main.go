// Command hookrelay is the developer and operator CLI: the local runtime
// (dev), tokens for the local API, a verifying receiver (listen) and DLQ
// tooling. Each subcommand lives in its own file and registers itself.
package main

import (
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

func main() {
	refuseUnknown(rootCmd)
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
