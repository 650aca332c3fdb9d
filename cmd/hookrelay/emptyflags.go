package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// refuseEmptyFlags refuses any of the named flags given an empty value: an
// unset shell variable (--stack "$STACK") would otherwise leave the flag
// unset, and the command would act, silently, on what the environment
// names instead.
func refuseEmptyFlags(fs *pflag.FlagSet, names ...string) error {
	for _, name := range names {
		if f := fs.Lookup(name); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return fmt.Errorf("--%s is empty: give a value, or leave the flag out", name)
		}
	}
	return nil
}
