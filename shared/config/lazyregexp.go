package config

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use. Every Lambda imports this
// package, and its expressions compiled at package init added about a
// millisecond to each cold start (GODEBUG=inittrace=1), while most are
// used only when the api checks the portal's brand.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
