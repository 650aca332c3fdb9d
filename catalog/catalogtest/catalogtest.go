// Package catalogtest gives other packages' tests the embedded catalog.
package catalogtest

import (
	"testing"

	"github.com/hookrelay/hookrelay/catalog"
)

// Default is catalog.Default for a test: a broken catalog fails the test
// with the error naming the file at fault, where a panic would stop every
// test of the package.
func Default(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
