package devrun

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
)

// TestWebhooksAtTheStacksOwnPortsAreRefused: dev mode's loopback allowance
// must not reach goaws, dynalite or the API itself (a webhook URL at goaws
// ran ListQueues and stored the reply in the attempt log). Creation is
// refused with 400, and the delivery client holds the same ports.
func TestWebhooksAtTheStacksOwnPortsAreRefused(t *testing.T) {
	dir := t.TempDir()
	s := startStack(t, dir)
	token := devToken(t, dir, "org_ports")
	own := map[string]int{
		"goaws": portOf(t, s.State.SQSEndpoint), "dynalite": portOf(t, s.State.DynamoEndpoint), "api": portOf(t, s.API),
	}
	for name, port := range own {
		if !slices.Contains(s.Config.DeniedLoopbackPorts, port) {
			t.Errorf("the delivery client may reach %s's port %d (denied: %v)", name, port, s.Config.DeniedLoopbackPorts)
		}
		for _, host := range []string{"127.0.0.1", "localhost", "[::1]"} {
			u := "http://" + host + ":" + strconv.Itoa(port) + "/"
			call(t, s.API, token, "POST", "/api/v1/organization/webhooks",
				`{"name":"`+name+`","url":"`+u+`","event_types":["*"]}`, http.StatusBadRequest, nil)
		}
	}
}
