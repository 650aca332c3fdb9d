package permissions

import "github.com/hookrelay/hookrelay/shared/config"

// Env lists, per function, the config variables the stack sets for it:
// every setting its code can read and no other (a test here walks the
// code for them). Dev-only knobs (HOOKRELAY_ADDR, HOOKRELAY_ALLOW_LOOPBACK,
// HOOKRELAY_DEV_AUDIENCE) are never set: a deployed function must not
// accept loopback endpoints.
var Env = map[string][]string{
	API: {
		config.EnvTable, config.EnvEventBus, config.EnvDeliveryQueueURL, config.EnvDLQURL,
		config.EnvSecretPrefix, config.EnvSecretGrace, config.EnvSecretStore, config.EnvOrgClaim,
		config.EnvOperatorClaim, config.EnvOperatorValue, config.EnvMaxWebhooks, config.EnvOrgRateLimit,
		// The portal: its brand, and the header names its snippets show.
		config.EnvHeaderPrefix, config.EnvPortalName, config.EnvPortalAccent,
		config.EnvPortalLogoURL, config.EnvPortalFrameAncestors,
		// How far back parked_from and a recover look for parked
		// deliveries, and the delivery stores' item lifetimes: deliver's.
		config.EnvParkedTTL, config.EnvAttemptTTL,
	},
	Fanout: {
		// The delivery timeout is how long a busy tenant's events count
		// toward crowding its lane (lanes.Chooser); the ingest queue takes
		// back a record too large for one invocation (fanout's continuation).
		config.EnvTable, config.EnvDeliveryQueueURL, config.EnvIngestDLQURL, config.EnvDeliveryTimeout,
		config.EnvIngestQueueURL,
	},
	Deliver: {
		config.EnvTable, config.EnvEventBus, config.EnvDeliveryQueueURL, config.EnvDLQURL, config.EnvSecretPrefix,
		config.EnvSecretStore, config.EnvRetrySchedule, config.EnvDeliveryTimeout, config.EnvHeaderPrefix, config.EnvAttemptTTL,
		config.EnvDisableAfter, config.EnvDisableMinFailures, config.EnvParkedTTL,
		// What the 12 h visibility limit's margin must cover (budget.go).
		config.EnvDeliverBatchWindow,
	},
}

// EnvelopeEnv is what api and deliver need on top of Env when the
// secret store is the envelope one: the key, which exists only then.
var EnvelopeEnv = map[string][]string{API: {config.EnvSecretKey}, Deliver: {config.EnvSecretKey}}
