package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// flagsOnly refuses arguments on a command that takes only flags. Cobra's
// NoArgs calls a stray argument an "unknown command", which sends someone
// who typed `hookrelay token org_a` looking for a subcommand. hint is the
// flag the argument most likely belongs to ("" when there is none).
func flagsOnly(hint string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("%s takes no arguments, only flags (got %q)", c.CommandPath(), args[0])
		if hint != "" {
			return fmt.Errorf("%s: did you mean %s %s?", msg, hint, args[0])
		}
		return fmt.Errorf("%s: see %s --help", msg, c.CommandPath())
	}
}
