// Package config reads the environment knobs shared by the Lambdas and the
// local runtime. The names are a contract: the CDK stack sets exactly these
// (infra tests check that), and the README ("Configuration") documents
// the public ones.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
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

// The secret stores EnvSecretStore names: one Secrets Manager secret per
// webhook, or the secrets sealed under a KMS data key on the webhook item;
// and the two moves between them, while `hookrelay secrets migrate` runs:
// writes go to both stores, reads to the target first.
const (
	SecretStoreSecretsManager   = "secretsmanager"
	SecretStoreEnvelope         = "envelope"
	SecretStoreToEnvelope       = "migrating-to-envelope"
	SecretStoreToSecretsManager = "migrating-to-secretsmanager"
)

// SecretStores returns the store a setting writes and reads first, and,
// while migrating, the one it moves from ("" otherwise).
func SecretStores(setting string) (target, source string) {
	switch setting {
	case SecretStoreToEnvelope:
		return SecretStoreEnvelope, SecretStoreSecretsManager
	case SecretStoreToSecretsManager:
		return SecretStoreSecretsManager, SecretStoreEnvelope
	}
	return setting, ""
}

// UsesKMS reports whether a setting needs the envelope store's key.
func UsesKMS(setting string) bool {
	target, source := SecretStores(setting)
	return target == SecretStoreEnvelope || source == SecretStoreEnvelope
}

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
	if p.err == nil && c.DeliverBatchWindow > MaxBatchWindow {
		p.err = fmt.Errorf("%s=%s: must be at most %s (the SQS event source's batching window)", EnvDeliverBatchWindow, c.DeliverBatchWindow, MaxBatchWindow)
	}
	if p.err != nil {
		return Config{}, p.err
	}
	return c, nil
}

// CheckSecretStore accepts the two stores and the two moves between them.
func CheckSecretStore(name string) error {
	if !ValidSecretStore(name) {
		return fmt.Errorf("%s=%q: must be %s", EnvSecretStore, name, SecretStoreChoices)
	}
	return nil
}

// ValidSecretStore reports whether name is a secret store setting.
func ValidSecretStore(name string) bool {
	switch name {
	case SecretStoreSecretsManager, SecretStoreEnvelope, SecretStoreToEnvelope, SecretStoreToSecretsManager:
		return true
	}
	return false
}

// SecretStoreChoices lists the settings ValidSecretStore accepts, for messages.
const SecretStoreChoices = SecretStoreSecretsManager + ", " + SecretStoreEnvelope + ", " + SecretStoreToEnvelope + " or " + SecretStoreToSecretsManager

// AutoDisable reports whether failing endpoints are disabled at all.
func (c Config) AutoDisable() bool { return c.DisableAfter > 0 && c.DisableMinFailures > 0 }

// Retry budget: what SQS can honour (docs/internals.md, "Retry budget").
const (
	// DeliveryRetention is the delivery queue's message retention (infra
	// sets it); a message older than this vanishes without a dead letter.
	DeliveryRetention = 4 * 24 * time.Hour
	// RetryBudget is how long one message's retries may span, counted from
	// when it was sent: a day less than the retention, so the last retry
	// and its dead-lettering happen well before SQS would drop it. The
	// deliver function dead-letters with retry_budget_exhausted instead of
	// scheduling a retry past it.
	RetryBudget = DeliveryRetention - 24*time.Hour
	// MaxVisibility is SQS's limit on a visibility timeout, counted from the
	// receive that the timeout extends.
	MaxVisibility = 12 * time.Hour
	// MaxBatchWindow is the SQS event source's MaximumBatchingWindowInSeconds
	// limit: a message waits at most this long between the event source's
	// receive and the handler.
	MaxBatchWindow = 5 * time.Minute
	// MaxRetryStep bounds a schedule step: with its jitter (up to 10 %) it
	// stays an hour below MaxVisibility, so it never depends on the time a
	// receipt has already used up.
	MaxRetryStep = 10 * time.Hour
	// MaxDeferrals bounds how often a delivery to an endpoint that keeps
	// timing out is put back without an attempt. Each deferral is a receive,
	// so the delivery queue's maxReceiveCount allows for them (infra).
	MaxDeferrals = 10
)

// DeliveryMaxReceive is the delivery queue's maxReceiveCount (AWS and
// dev): it must exceed the receives the deliver function uses (len+1
// attempts, plus up to MaxDeferrals deferrals) or SQS would redrive a
// message before the function gives up on it with a reason; the margin of
// 5 absorbs receives lost to crashes. It is a safety net for poison only.
func DeliveryMaxReceive(sched []time.Duration) int {
	return max(10, len(sched)+1+5) + MaxDeferrals
}

// ScheduleSpan is the longest time a schedule's retries can take: every
// step with its maximum jitter (10 %).
func ScheduleSpan(sched []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range sched {
		t += d + d/10
	}
	return t
}

// FormatSchedule writes a schedule as ParseSchedule reads it.
func FormatSchedule(sched []time.Duration) string {
	parts := make([]string, len(sched))
	for i, d := range sched {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// ParseSchedule parses "30s,60s,120s". Every step must be positive and at
// most MaxRetryStep, and the whole schedule must fit in RetryBudget.
func ParseSchedule(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("retry schedule %q: %w", s, err)
		}
		if d <= 0 || d > MaxRetryStep {
			return nil, fmt.Errorf("retry schedule %q: step %s must be in (0, %s] (SQS's %s visibility limit, less jitter and margin)", s, d, fmtHours(MaxRetryStep), fmtHours(MaxVisibility))
		}
		out = append(out, d)
	}
	if span := ScheduleSpan(out); span > RetryBudget {
		return nil, fmt.Errorf("retry schedule %q: steps with their 10%% jitter span %s; they must fit in %s (the delivery queue keeps messages %s)",
			s, span, fmtHours(RetryBudget), fmtHours(DeliveryRetention))
	}
	return out, nil
}

// fmtHours writes whole hours as "72h" rather than "72h0m0s".
func fmtHours(d time.Duration) string { return strings.TrimSuffix(d.String(), "0m0s") }

// parser keeps the first error so Load reads as a flat list of fields.
type parser struct {
	lookup func(string) (string, bool)
	err    error
}

func (p *parser) get(name string) (string, bool) {
	v, ok := p.lookup(name)
	if !ok || strings.TrimSpace(v) == "" || p.err != nil {
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (p *parser) fail(name, v string, err error) {
	p.err = fmt.Errorf("%s=%q: %w", name, v, err)
}

func (p *parser) str(name string, dst *string) {
	if v, ok := p.get(name); ok {
		*dst = v
	}
}

// list reads a comma-separated value.
func (p *parser) list(name string, dst *[]string) {
	if v, ok := p.get(name); ok {
		*dst = SplitList(v)
	}
}

func (p *parser) duration(name string, dst *time.Duration) {
	read(p, name, dst, positive(time.ParseDuration))
}

// durationOrZero is duration where 0 is a value (a knob's "off").
func (p *parser) durationOrZero(name string, dst *time.Duration) {
	read(p, name, dst, positiveOrZero(time.ParseDuration))
}

func (p *parser) durations(name string, dst *[]time.Duration) {
	read(p, name, dst, ParseSchedule)
}

func (p *parser) integer(name string, dst *int) {
	read(p, name, dst, positive(strconv.Atoi))
}

// integerOrZero is integer where 0 is a value (a knob's "off").
func (p *parser) integerOrZero(name string, dst *int) {
	read(p, name, dst, positiveOrZero(strconv.Atoi))
}

func (p *parser) boolean(name string, dst *bool) {
	read(p, name, dst, strconv.ParseBool)
}

// read sets *dst to name's value as parse reads it; a value parse
// refuses is kept as the error (a method cannot take a type parameter).
func read[T any](p *parser, name string, dst *T, parse func(string) (T, error)) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	x, err := parse(v)
	if err != nil {
		p.fail(name, v, err)
		return
	}
	*dst = x
}

// positive refuses what parse reads as 0 or less.
func positive[T int | time.Duration](parse func(string) (T, error)) func(string) (T, error) {
	return func(v string) (T, error) {
		x, err := parse(v)
		if err == nil && x <= 0 {
			err = fmt.Errorf("must be positive")
		}
		return x, err
	}
}

// positiveOrZero refuses what parse reads as less than 0.
func positiveOrZero[T int | time.Duration](parse func(string) (T, error)) func(string) (T, error) {
	return func(v string) (T, error) {
		x, err := parse(v)
		if err == nil && x < 0 {
			err = fmt.Errorf("must be 0 (off) or positive")
		}
		return x, err
	}
}
