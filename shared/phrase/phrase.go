// Package phrase holds the phrasing shared by the CLI, the portal and the
// APIs: counts, and the bounded echo of what a client sent.
package phrase

import "strconv"

// Count counts n of a thing: "1 dead letter", "0 dead letters".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
