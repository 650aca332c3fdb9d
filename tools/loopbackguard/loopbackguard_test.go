package loopbackguard

import "testing"

// The names a browser could be led to are refused; only loopback literals
// and localhost with the listener's port pass, and a bare name only on
// port 80.
func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:4566": true, "127.255.0.9:4566": true, "[::1]:4566": true, "localhost:4566": true, "LOCALHOST:4566": true,
		"127.0.0.1:4567": false, "127.0.0.1:": false, "127.0.0.1": false, "localhost": false, "": false,
		"0.0.0.0:4566": false, "10.0.0.1:4566": false, "[::ffff:127.0.0.1]:4566": false, "[::1%lo]:4566": false,
		"localhost.:4566": false, "a.localhost:4566": false, "127.1:4566": false, "2130706433:4566": false,
	} {
		if got := LoopbackHost(host, "4566"); got != want {
			t.Errorf("LoopbackHost(%q, 4566) = %v, want %v", host, got, want)
		}
	}
	for host, want := range map[string]bool{"127.0.0.1": true, "[::1]": true, "localhost": true, "example.com": false, "127.0.0.1:4566": false} {
		if got := LoopbackHost(host, "80"); got != want {
			t.Errorf("LoopbackHost(%q, 80) = %v, want %v", host, got, want)
		}
	}
	if LoopbackHost("127.0.0.1:4566", "") {
		t.Error("a request with no known local port passed")
	}
}
