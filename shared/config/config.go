// Package config reads the environment knobs shared by the Lambdas and the
// local runtime. The names are a contract: the CDK stack sets exactly these
// (infra tests check that), and the README ("Configuration") documents
// the public ones.
package config

import (
	"fmt"
	"os"
	"time"

	"github.com/hookrelay/hookrelay/shared/lanes"
)

// Environment variable names. Keep this list in sync with infra (a test
// compares the synthesized template with Names()).
const (
	EnvRetrySchedule   = "HOOKRELAY_RETRY_SCHEDULE"
	EnvDeliveryTimeout = "HOOKRELAY_DELIVERY_TIMEOUT"
	EnvHeaderPrefix    = "HOOKRELAY_HEADER_PREFIX"
	EnvTable           = "HOOKRELAY_TABLE"
	// EnvDeliveryQueueURL holds the delivery lanes' queue URLs, comma-separated.
	EnvDeliveryQueueURL = "HOOKRELAY_DELIVERY_QUEUE_URL"
	EnvDLQURL           = "HOOKRELAY_DLQ_URL"
	EnvIngestQueueURL   = "HOOKRELAY_INGEST_QUEUE_URL"
	EnvIngestDLQURL     = "HOOKRELAY_INGEST_DLQ_URL"
	EnvEventBus         = "HOOKRELAY_EVENT_BUS"
	EnvSecretPrefix     = "HOOKRELAY_SECRET_PREFIX"
	EnvSecretGrace      = "HOOKRELAY_SECRET_GRACE"
	// EnvSecretStore picks where signing secrets live (SecretStore*);
	// EnvSecretKey is the KMS key of the envelope store.
	EnvSecretStore   = "HOOKRELAY_SECRET_STORE"
	EnvSecretKey     = "HOOKRELAY_SECRET_KEY_ID"
	EnvOrgClaim      = "HOOKRELAY_ORG_CLAIM"
	EnvOperatorClaim = "HOOKRELAY_OPERATOR_CLAIM"
	EnvOperatorValue = "HOOKRELAY_OPERATOR_VALUE"
	EnvMaxWebhooks   = "HOOKRELAY_MAX_WEBHOOKS_PER_ORG"
	EnvOrgRateLimit  = "HOOKRELAY_ORG_RATE_LIMIT"
	EnvAttemptTTL    = "HOOKRELAY_ATTEMPT_TTL"
	EnvAllowLoopback = "HOOKRELAY_ALLOW_LOOPBACK"
	EnvAddr          = "HOOKRELAY_ADDR"
	// Endpoint health (README "Endpoint health"): an endpoint whose every
	// delivery failed for EnvDisableAfter and at least EnvDisableMinFailures
	// deliveries is disabled; either set to 0 turns auto-disable off.
	EnvDisableAfter       = "HOOKRELAY_DISABLE_AFTER"
	EnvDisableMinFailures = "HOOKRELAY_DISABLE_MIN_FAILURES"
	// EnvDeliverBatchWindow is the delivery queues' event source batching
	// window (infra's deliverBatchWindow): how long before the deliver
	// function sees a message SQS may have received it.
	EnvDeliverBatchWindow = "HOOKRELAY_DELIVER_BATCH_WINDOW"
	// EnvParkedTTL is how long a delivery parked for a disabled endpoint is
	// kept for a recover call (DynamoDB TTL).
	EnvParkedTTL = "HOOKRELAY_PARKED_TTL"
	// EnvDevAudience is the aud the local API (hookrelay dev) requires and
	// `hookrelay token` issues. Dev only: deployed stacks check the
	// audience at API Gateway (the jwtAudience context).
	EnvDevAudience = "HOOKRELAY_DEV_AUDIENCE"
	// The tenant portal's brand (shared/portal) and who may frame it.
	EnvPortalName           = "HOOKRELAY_PORTAL_PRODUCT_NAME"
	EnvPortalAccent         = "HOOKRELAY_PORTAL_ACCENT_COLOR"
	EnvPortalLogoURL        = "HOOKRELAY_PORTAL_LOGO_URL"
	EnvPortalFrameAncestors = "HOOKRELAY_PORTAL_FRAME_ANCESTORS"
)

// Config is the parsed environment. Zero values never reach handlers:
// Load fills every default.
type Config struct {
	RetrySchedule   []time.Duration
	DeliveryTimeout time.Duration
	HeaderPrefix    string
	Table           string
	// DeliveryQueues are the delivery lanes' queues (package lanes).
	DeliveryQueues lanes.Lanes
	DLQURL         string
	IngestQueueURL string
	IngestDLQURL   string
	EventBus       string
	SecretPrefix   string
	SecretGrace    time.Duration
	// SecretStore is SecretStoreSecretsManager or SecretStoreEnvelope;
	// SecretKeyID the envelope store's KMS key (id, ARN or alias).
	SecretStore   string
	SecretKeyID   string
	OrgClaim      string
	OperatorClaim string
	OperatorValue string
	MaxWebhooks   int
	// OrgRateLimit is the API requests per second one organization may
	// make to one process (one api container), with a burst of twice that;
	// 0 means no limit.
	OrgRateLimit int
	AttemptTTL   time.Duration
	// DisableAfter and DisableMinFailures are the auto-disable threshold;
	// either 0 turns it off (AutoDisable reports which).
	DisableAfter       time.Duration
	DisableMinFailures int
	ParkedTTL          time.Duration
	// DeliverBatchWindow is how long the event source may hold a message
	// it received before handing it to the deliver function (0 in make
	// dev, whose pollers hand a batch over as they receive it).
	DeliverBatchWindow time.Duration
	// AllowLoopback is true only in dev mode: http:// URLs on loopback are
	// accepted and the delivery client may connect to loopback.
	AllowLoopback bool
	Addr          string
	// DevAudience is the aud claim the dev token check requires.
	DevAudience string
	// DeniedLoopbackPorts are the dev runtime's own ports (emulators, API):
	// the loopback allowance never reaches them. Set by the dev runtime,
	// never read from the environment.
	DeniedLoopbackPorts []int
	Portal              Portal
}

// Defaults returns the configuration used when no variable is set.
func Defaults() Config {
	return Config{
		RetrySchedule:   []time.Duration{30 * time.Second, 60 * time.Second, 120 * time.Second},
		DeliveryTimeout: 10 * time.Second,
		HeaderPrefix:    "Hookrelay",
		Table:           "hookrelay",
		EventBus:        "hookrelay",
		SecretPrefix:    "hookrelay/webhooks",
		SecretGrace:     24 * time.Hour,
		SecretStore:     SecretStoreSecretsManager,
		OrgClaim:        "org_id",
		OperatorClaim:   "role",
		OperatorValue:   "operator",
		MaxWebhooks:     100,
		AttemptTTL:      30 * 24 * time.Hour,
		// Five days of nothing but failures, and enough deliveries that a
		// quiet endpoint is not disabled for two failed events.
		DisableAfter:       5 * 24 * time.Hour,
		DisableMinFailures: 20,
		ParkedTTL:          7 * 24 * time.Hour,
		Addr:               "127.0.0.1:8080",
		// The deployed stack's default jwtAudience, so a token made for
		// one is made for the other.
		DevAudience: "hookrelay",
		Portal:      DefaultPortal(),
	}
}

// Names lists every variable Load reads.
func Names() []string {
	return []string{
		EnvRetrySchedule, EnvDeliveryTimeout, EnvHeaderPrefix, EnvTable,
		EnvDeliveryQueueURL, EnvDLQURL, EnvIngestQueueURL, EnvIngestDLQURL,
		EnvEventBus, EnvSecretPrefix, EnvSecretGrace, EnvSecretStore, EnvSecretKey, EnvOrgClaim,
		EnvOperatorClaim, EnvOperatorValue, EnvMaxWebhooks, EnvOrgRateLimit, EnvAttemptTTL,
		EnvAllowLoopback, EnvAddr, EnvDevAudience,
		EnvDisableAfter, EnvDisableMinFailures, EnvParkedTTL, EnvDeliverBatchWindow,
		EnvPortalName, EnvPortalAccent, EnvPortalLogoURL, EnvPortalFrameAncestors,
	}
}

// Load reads the process environment.
func Load() (Config, error) { return FromLookup(os.LookupEnv) }

// FromLookup parses configuration from any lookup function (tests pass a map).
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	c := Defaults()
	p := parser{lookup: lookup}
	p.durations(EnvRetrySchedule, &c.RetrySchedule)
	p.duration(EnvDeliveryTimeout, &c.DeliveryTimeout)
	p.str(EnvHeaderPrefix, &c.HeaderPrefix)
	p.str(EnvTable, &c.Table)
	if v, ok := p.get(EnvDeliveryQueueURL); ok {
		c.DeliveryQueues = lanes.Parse(v)
	}
	p.str(EnvDLQURL, &c.DLQURL)
	p.str(EnvIngestQueueURL, &c.IngestQueueURL)
	p.str(EnvIngestDLQURL, &c.IngestDLQURL)
	p.str(EnvEventBus, &c.EventBus)
	p.str(EnvSecretPrefix, &c.SecretPrefix)
	p.duration(EnvSecretGrace, &c.SecretGrace)
	p.str(EnvSecretStore, &c.SecretStore)
	p.str(EnvSecretKey, &c.SecretKeyID)
	p.str(EnvOrgClaim, &c.OrgClaim)
	p.str(EnvOperatorClaim, &c.OperatorClaim)
	p.str(EnvOperatorValue, &c.OperatorValue)
	p.integer(EnvMaxWebhooks, &c.MaxWebhooks)
	p.integerOrZero(EnvOrgRateLimit, &c.OrgRateLimit)
	p.duration(EnvAttemptTTL, &c.AttemptTTL)
	p.boolean(EnvAllowLoopback, &c.AllowLoopback)
	p.str(EnvAddr, &c.Addr)
	p.str(EnvDevAudience, &c.DevAudience)
	p.durationOrZero(EnvDisableAfter, &c.DisableAfter)
	p.integerOrZero(EnvDisableMinFailures, &c.DisableMinFailures)
	p.duration(EnvParkedTTL, &c.ParkedTTL)
	p.durationOrZero(EnvDeliverBatchWindow, &c.DeliverBatchWindow)
	p.str(EnvPortalName, &c.Portal.ProductName)
	p.str(EnvPortalAccent, &c.Portal.AccentColor)
	p.str(EnvPortalLogoURL, &c.Portal.LogoURL)
	p.list(EnvPortalFrameAncestors, &c.Portal.FrameAncestors)
	if p.err == nil {
		p.err = c.Portal.Validate()
	}
	if p.err == nil {
		p.err = CheckSecretStore(c.SecretStore)
	}
	if err := CheckHeaderPrefix(c.HeaderPrefix); p.err == nil && err != nil {
		p.err = fmt.Errorf("%s: %w", EnvHeaderPrefix, err)
	}
	if err := CheckDisableAfter(c.DisableAfter); p.err == nil && err != nil {
		p.err = fmt.Errorf("%s: %w", EnvDisableAfter, err)
	}
	if err := CheckDeliveryTimeout(c.DeliveryTimeout); p.err == nil && err != nil {
		p.err = fmt.Errorf("%s: %w", EnvDeliveryTimeout, err)
	}
	if err := CheckClaims(c.OrgClaim, c.OperatorClaim); p.err == nil && err != nil {
		p.err = fmt.Errorf("%s, %s: %w", EnvOrgClaim, EnvOperatorClaim, err)
	}
	if p.err == nil && c.DeliverBatchWindow > MaxBatchWindow {
		p.err = fmt.Errorf("%s=%s: must be at most %s (the SQS event source's batching window)", EnvDeliverBatchWindow, c.DeliverBatchWindow, MaxBatchWindow)
	}
	if p.err != nil {
		return Config{}, p.err
	}
	return c, nil
}

// AutoDisable reports whether failing endpoints are disabled at all.
func (c Config) AutoDisable() bool { return c.DisableAfter > 0 && c.DisableMinFailures > 0 }
