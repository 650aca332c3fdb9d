package main

import (
	"strings"
	"testing"
)

// The help says what the migrating stack reads first: the source, which
// the Bridge reads and writes first.
func TestSecretsMigrateHelpSaysReadsTakeTheSourceFirst(t *testing.T) {
	out, err := runSecrets(t, "migrate", "--help")
	if err != nil || !strings.Contains(out, "reads take the source first") || strings.Contains(out, "target first") {
		t.Errorf("help (%v): %s", err, out)
	}
}
