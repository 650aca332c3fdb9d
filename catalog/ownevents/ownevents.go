// Package ownevents names the event types hookrelay itself sends. They
// live apart from the catalog's schemas so that a function that only sends
// them (deliver, through its health notices and test sends) does not link
// the JSON Schema library and the embedded catalog: that would add 0.7 MB
// to its binary and a few milliseconds to its cold start.
package ownevents

// Every catalog must define them, since every deployment sends them:
// TestEvent from the API's "test webhook" endpoint, the other two when an
// endpoint is disabled for failing or enabled again.
const (
	TestEvent       = "webhook.test"
	WebhookDisabled = "webhook.disabled"
	WebhookEnabled  = "webhook.enabled"
)
