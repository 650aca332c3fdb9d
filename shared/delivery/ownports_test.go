package delivery

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// TestDevStackPortsAreBlockedAddresses: with the loopback allowance on
// (dev mode), a webhook at one of the stack's own ports (an emulator, the
// API) is dead-lettered as blocked_address and never reached.
func TestDevStackPortsAreBlockedAddresses(t *testing.T) {
	own := newReceiver(t, false)
	u, err := url.Parse(own.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	cfg := testConfig()
	cfg.DeniedLoopbackPorts = []int{port}
	e := newEnv(t, cfg, nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_own", OrgID: "org_a", URL: own.srv.URL + "/status/200", Enabled: true})
	checkOne(t, e, sqsMessage(t, "org_a", "wh_own", "evt_own"),
		want{outcome: deliverylog.OutcomeDeadLettered, class: ClassBlockedAddress, reason: message.ReasonBlockedAddress})
	if n := own.hits.Load(); n != 0 {
		t.Fatalf("the stack's own port received %d requests", n)
	}
}
