// Package config reads the environment knobs shared by the Lambdas and the
// local runtime. The names are a contract: the CDK stack sets exactly these
// (infra tests check that), and design.md documents the public ones.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variable names. Keep this list in sync with infra (a test
// compares the synthesized template with Names()).
const (
	EnvRetrySchedule    = "HOOKRELAY_RETRY_SCHEDULE"
	EnvDeliveryTimeout  = "HOOKRELAY_DELIVERY_TIMEOUT"
	EnvHeaderPrefix     = "HOOKRELAY_HEADER_PREFIX"
	EnvTable            = "HOOKRELAY_TABLE"
	EnvDeliveryQueueURL = "HOOKRELAY_DELIVERY_QUEUE_URL"
	EnvDLQURL           = "HOOKRELAY_DLQ_URL"
	EnvIngestQueueURL   = "HOOKRELAY_INGEST_QUEUE_URL"
	EnvIngestDLQURL     = "HOOKRELAY_INGEST_DLQ_URL"
	EnvEventBus         = "HOOKRELAY_EVENT_BUS"
	EnvSecretPrefix     = "HOOKRELAY_SECRET_PREFIX"
	EnvSecretGrace      = "HOOKRELAY_SECRET_GRACE"
	EnvOrgClaim         = "HOOKRELAY_ORG_CLAIM"
	EnvOperatorClaim    = "HOOKRELAY_OPERATOR_CLAIM"
	EnvOperatorValue    = "HOOKRELAY_OPERATOR_VALUE"
	EnvMaxWebhooks      = "HOOKRELAY_MAX_WEBHOOKS_PER_ORG"
	EnvAttemptTTL       = "HOOKRELAY_ATTEMPT_TTL"
	EnvAllowLoopback    = "HOOKRELAY_ALLOW_LOOPBACK"
	EnvAddr             = "HOOKRELAY_ADDR"
)

// Config is the parsed environment. Zero values never reach handlers:
// Load fills every default.
type Config struct {
	RetrySchedule    []time.Duration
	DeliveryTimeout  time.Duration
	HeaderPrefix     string
	Table            string
	DeliveryQueueURL string
	DLQURL           string
	IngestQueueURL   string
	IngestDLQURL     string
	EventBus         string
	SecretPrefix     string
	SecretGrace      time.Duration
	OrgClaim         string
	OperatorClaim    string
	OperatorValue    string
	MaxWebhooks      int
	AttemptTTL       time.Duration
	// AllowLoopback is true only in dev mode: http:// URLs on loopback are
	// accepted and the delivery client may connect to loopback.
	AllowLoopback bool
	Addr          string
	// DeniedLoopbackPorts are the dev runtime's own ports (emulators, API):
	// the loopback allowance never reaches them. Set by the dev runtime,
	// never read from the environment.
	DeniedLoopbackPorts []int
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
		OrgClaim:        "org_id",
		OperatorClaim:   "role",
		OperatorValue:   "operator",
		MaxWebhooks:     100,
		AttemptTTL:      30 * 24 * time.Hour,
		Addr:            "127.0.0.1:8080",
	}
}

// Names lists every variable Load reads.
func Names() []string {
	return []string{
		EnvRetrySchedule, EnvDeliveryTimeout, EnvHeaderPrefix, EnvTable,
		EnvDeliveryQueueURL, EnvDLQURL, EnvIngestQueueURL, EnvIngestDLQURL,
		EnvEventBus, EnvSecretPrefix, EnvSecretGrace, EnvOrgClaim,
		EnvOperatorClaim, EnvOperatorValue, EnvMaxWebhooks, EnvAttemptTTL,
		EnvAllowLoopback, EnvAddr,
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
	p.str(EnvDeliveryQueueURL, &c.DeliveryQueueURL)
	p.str(EnvDLQURL, &c.DLQURL)
	p.str(EnvIngestQueueURL, &c.IngestQueueURL)
	p.str(EnvIngestDLQURL, &c.IngestDLQURL)
	p.str(EnvEventBus, &c.EventBus)
	p.str(EnvSecretPrefix, &c.SecretPrefix)
	p.duration(EnvSecretGrace, &c.SecretGrace)
	p.str(EnvOrgClaim, &c.OrgClaim)
	p.str(EnvOperatorClaim, &c.OperatorClaim)
	p.str(EnvOperatorValue, &c.OperatorValue)
	p.integer(EnvMaxWebhooks, &c.MaxWebhooks)
	p.duration(EnvAttemptTTL, &c.AttemptTTL)
	p.boolean(EnvAllowLoopback, &c.AllowLoopback)
	p.str(EnvAddr, &c.Addr)
	if p.err != nil {
		return Config{}, p.err
	}
	return c, nil
}

// ParseSchedule parses "30s,60s,120s". Every step must be positive and at
// most 12 h (the SQS visibility timeout limit).
func ParseSchedule(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("retry schedule %q: %w", s, err)
		}
		if d <= 0 || d > 12*time.Hour {
			return nil, fmt.Errorf("retry schedule %q: step %s must be in (0, 12h]", s, d)
		}
		out = append(out, d)
	}
	return out, nil
}

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

func (p *parser) duration(name string, dst *time.Duration) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("must be positive")
	}
	if err != nil {
		p.fail(name, v, err)
		return
	}
	*dst = d
}

func (p *parser) durations(name string, dst *[]time.Duration) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	ds, err := ParseSchedule(v)
	if err != nil {
		p.fail(name, v, err)
		return
	}
	*dst = ds
}

func (p *parser) integer(name string, dst *int) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	if err == nil && n <= 0 {
		err = fmt.Errorf("must be positive")
	}
	if err != nil {
		p.fail(name, v, err)
		return
	}
	*dst = n
}

func (p *parser) boolean(name string, dst *bool) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, err)
		return
	}
	*dst = b
}
