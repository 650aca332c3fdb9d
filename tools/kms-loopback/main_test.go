package main

import "testing"

// Without an explicit port and data directory the emulator would fall back
// to local-kms's defaults (port 8080 on every interface's neighbour, the
// machine-wide /tmp/local-kms), so it refuses to start instead.
func TestRunRefusesMissingPortOrData(t *testing.T) {
	if err := run(0, t.TempDir(), "us-east-1", "1"); err == nil {
		t.Error("run started without a port")
	}
	if err := run(4566, "", "us-east-1", "1"); err == nil {
		t.Error("run started without a data directory")
	}
}
