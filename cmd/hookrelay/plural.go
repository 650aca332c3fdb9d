package main

import "strconv"

// plural counts n of a thing: "1 dead letter", "0 dead letters".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
