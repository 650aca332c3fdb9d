package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// refuseUnknown makes the command groups under root (dlq, secrets,
// webhooks, completion) and `help` refuse a subcommand they do not have,
// as the top level does: `unknown command "bogus" for "hookrelay dlq"` and
// a non-zero exit. Cobra's own groups print their help and exit 0. A group
// run without arguments still prints its help.
func refuseUnknown(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() && !c.Runnable() && c != root {
			c.Args = cobra.NoArgs // its error is the top level's wording
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.RunE = helpFor
		}
	}
}

// helpFor is `hookrelay help [command...]`: a path that names no command is
// an error instead of cobra's "Unknown help topic" and exit 0.
func helpFor(c *cobra.Command, args []string) error {
	target, rest, err := c.Root().Find(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 && target.HasSubCommands() {
		return fmt.Errorf("unknown command %q for %q", rest[0], target.CommandPath())
	}
	target.InitDefaultHelpFlag()
	target.InitDefaultVersionFlag()
	return target.Help()
}
