package main

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"time"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/lanes"
)

// Context keys. Every key is documented in README.md ("Deploying to AWS") and has a default
// in DefaultSettings (cdk.json repeats the defaults; a test keeps them equal).
const (
	CtxStackName          = "stackName"
	CtxHeaderPrefix       = "headerPrefix"
	CtxJWTIssuer          = "jwtIssuer"
	CtxJWTAudience        = "jwtAudience"
	CtxOrgClaim           = "orgClaim"
	CtxOperatorClaim      = "operatorClaim"
	CtxOperatorValue      = "operatorValue"
	CtxOperatorScope      = "operatorScope"
	CtxRetrySchedule      = "retrySchedule"
	CtxDeliveryTimeout    = "deliveryTimeout"
	CtxSecretGrace        = "secretGrace"
	CtxSecretPrefix       = "secretPrefix"
	CtxSecretStore        = "secretStore"
	CtxAttemptTTL         = "attemptTtl"
	CtxStageName          = "stageName"
	CtxRemovalPolicy      = "removalPolicy"
	CtxMaxWebhooks        = "maxWebhooksPerOrg"
	CtxAlarmEmail         = "alarmEmail"
	CtxFanoutReserved     = "fanoutReservedConcurrency"
	CtxAPIReserved        = "apiReservedConcurrency"
	CtxDeliverConcurrency = "deliverMaxConcurrency"
	CtxFanoutBatchWindow  = "fanoutBatchWindow"
	CtxDeliverBatchWindow = "deliverBatchWindow"
	CtxAPIRateLimit       = "apiRateLimit"
	CtxAPIBurstLimit      = "apiBurstLimit"
	CtxOrgRateLimit       = "orgRateLimit"
	CtxDisableAfter       = "autoDisableAfter"
	CtxDisableMinFailures = "autoDisableMinFailures"
	CtxParkedTTL          = "parkedTtl"
	CtxLogLevel           = "logLevel"
	// The tenant portal's brand and the origins that may frame it.
	CtxPortalProductName    = "portalProductName"
	CtxPortalAccentColor    = "portalAccentColor"
	CtxPortalLogoURL        = "portalLogoUrl"
	CtxPortalFrameAncestors = "portalFrameAncestors"
)

// PlaceholderIssuer is used when no jwtIssuer is given so `cdk synth` works
// out of the box. The .invalid TLD never resolves, so a stack deployed with
// it fails closed: the authorizer rejects every token.
const PlaceholderIssuer = "https://issuer.invalid/"

// Settings is the validated deployment configuration.
type Settings struct {
	StackName     string
	HeaderPrefix  string
	JWTIssuer     string
	JWTAudience   []string
	OrgClaim      string
	OperatorClaim string
	OperatorValue string
	// OperatorScope is the OAuth scope API Gateway requires on the admin
	// routes, on top of the operator claim the api function checks.
	OperatorScope   string
	RetrySchedule   []time.Duration
	DeliveryTimeout time.Duration
	SecretGrace     time.Duration
	SecretPrefix    string
	// SecretStore is config.SecretStoreSecretsManager (one secret per
	// webhook) or config.SecretStoreEnvelope (sealed on the webhook item
	// under a KMS data key; the stack then creates the KMS key), or a move
	// between them (both stores written, both granted).
	SecretStore string
	AttemptTTL  time.Duration
	StageName   string
	// RemovalPolicy is "retain" or "destroy" for every stateful resource.
	RemovalPolicy     string
	MaxWebhooksPerOrg int
	AlarmEmail        string
	// FanoutReservedConcurrency caps fan-out so a burst of producer events
	// cannot starve the account or flood the delivery queue; 0 reserves
	// nothing (new accounts with a 10-execution quota cannot reserve any).
	FanoutReservedConcurrency int
	// APIReservedConcurrency reserves (and caps) the api function's
	// concurrency, so no tenant's API traffic (each request a container of
	// its own for its duration) can take the account's concurrency from
	// deliver and fan-out; 0 reserves nothing.
	APIReservedConcurrency int
	// DeliverMaxConcurrency bounds parallel deliver invocations, which
	// bounds outbound POSTs. It is the total, split evenly over the
	// delivery lanes: each lane's SQS event source gets
	// DeliverMaxConcurrency / lanes.Count (rounded down).
	DeliverMaxConcurrency int
	// FanoutBatchWindow and DeliverBatchWindow are the event sources'
	// MaximumBatchingWindowInSeconds: how long a poller gathers messages
	// before invoking. Light traffic then pays one invocation and one
	// receive/delete per window instead of per message, for up to that
	// much more latency; busy traffic fills batches of 10 sooner anyway.
	FanoutBatchWindow  time.Duration
	DeliverBatchWindow time.Duration
	APIRateLimit       int
	APIBurstLimit      int
	// OrgRateLimit is each organization's API requests per second per api
	// container (burst twice that; 0: none): API Gateway cannot throttle
	// per client, so the api function does, approximately. The default is
	// half the stage's rate: from one container, one organization cannot
	// take all of it.
	OrgRateLimit int
	// DisableAfter and DisableMinFailures: an endpoint failing every
	// delivery for that long and that many deliveries is disabled (0 in
	// either turns it off); ParkedTTL keeps its deliveries for a recover.
	DisableAfter       time.Duration
	DisableMinFailures int
	ParkedTTL          time.Duration
	// LogLevel is the functions' application log level (Lambda's advanced
	// logging controls): INFO logs what an operator acts on; DEBUG adds a
	// line per delivered attempt and per event fanned out, which costs
	// more in CloudWatch Logs than the rest of a delivery's logging.
	LogLevel string
	// Portal is the tenant portal's brand (validated by shared/config).
	Portal config.Portal
}

// DefaultSettings derives the defaults from shared/config so the stack and
// the local runtime agree.
func DefaultSettings() Settings {
	d := config.Defaults()
	return Settings{
		StackName:                 "Hookrelay",
		HeaderPrefix:              d.HeaderPrefix,
		JWTIssuer:                 PlaceholderIssuer,
		JWTAudience:               []string{"hookrelay"},
		OrgClaim:                  d.OrgClaim,
		OperatorClaim:             d.OperatorClaim,
		OperatorValue:             d.OperatorValue,
		OperatorScope:             "hookrelay/operator",
		RetrySchedule:             d.RetrySchedule,
		DeliveryTimeout:           d.DeliveryTimeout,
		SecretGrace:               d.SecretGrace,
		SecretPrefix:              d.SecretPrefix,
		SecretStore:               d.SecretStore,
		AttemptTTL:                d.AttemptTTL,
		StageName:                 "$default",
		RemovalPolicy:             "retain",
		MaxWebhooksPerOrg:         d.MaxWebhooks,
		FanoutReservedConcurrency: 5,
		APIReservedConcurrency:    50,
		DeliverMaxConcurrency:     20,
		FanoutBatchWindow:         time.Second,
		DeliverBatchWindow:        time.Second,
		APIRateLimit:              50,
		APIBurstLimit:             100,
		OrgRateLimit:              25,
		DisableAfter:              d.DisableAfter,
		DisableMinFailures:        d.DisableMinFailures,
		ParkedTTL:                 d.ParkedTTL,
		LogLevel:                  "INFO",
		Portal:                    d.Portal,
	}
}

// SettingsFromContext reads every key from the CDK context (cdk.json or
// `-c key=value`) over the defaults and validates the result; a key that
// is a misspelling of one is an error too (checkContextKeys).
func SettingsFromContext(node constructs.Node) (Settings, error) {
	all, _ := node.GetAllContext(nil).(map[string]interface{})
	keyErr := checkContextKeys(slices.Collect(maps.Keys(all)))
	s, err := settingsFrom(func(key string) interface{} {
		return node.TryGetContext(jsii.String(key))
	})
	if err = errors.Join(keyErr, err); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// settingsFrom is SettingsFromContext over any lookup (tests pass a map).
func settingsFrom(lookup func(string) interface{}) (Settings, error) {
	s := DefaultSettings()
	r := ctxReader{lookup: lookup}
	r.str(CtxStackName, &s.StackName)
	r.str(CtxHeaderPrefix, &s.HeaderPrefix)
	r.str(CtxJWTIssuer, &s.JWTIssuer)
	r.list(CtxJWTAudience, &s.JWTAudience)
	r.str(CtxOrgClaim, &s.OrgClaim)
	r.str(CtxOperatorClaim, &s.OperatorClaim)
	r.str(CtxOperatorValue, &s.OperatorValue)
	r.str(CtxOperatorScope, &s.OperatorScope)
	if v, ok := r.get(CtxRetrySchedule); ok {
		sched, err := config.ParseSchedule(v)
		r.check(CtxRetrySchedule, v, err)
		if err == nil {
			s.RetrySchedule = sched
		}
	}
	r.duration(CtxDeliveryTimeout, &s.DeliveryTimeout)
	r.duration(CtxSecretGrace, &s.SecretGrace)
	r.str(CtxSecretPrefix, &s.SecretPrefix)
	r.str(CtxSecretStore, &s.SecretStore)
	r.duration(CtxAttemptTTL, &s.AttemptTTL)
	r.str(CtxStageName, &s.StageName)
	r.str(CtxRemovalPolicy, &s.RemovalPolicy)
	r.integer(CtxMaxWebhooks, &s.MaxWebhooksPerOrg)
	r.str(CtxAlarmEmail, &s.AlarmEmail)
	r.integer(CtxFanoutReserved, &s.FanoutReservedConcurrency)
	r.integer(CtxAPIReserved, &s.APIReservedConcurrency)
	r.integer(CtxDeliverConcurrency, &s.DeliverMaxConcurrency)
	r.duration(CtxFanoutBatchWindow, &s.FanoutBatchWindow)
	r.duration(CtxDeliverBatchWindow, &s.DeliverBatchWindow)
	r.integer(CtxAPIRateLimit, &s.APIRateLimit)
	r.integer(CtxAPIBurstLimit, &s.APIBurstLimit)
	r.integer(CtxOrgRateLimit, &s.OrgRateLimit)
	r.duration(CtxDisableAfter, &s.DisableAfter)
	r.integer(CtxDisableMinFailures, &s.DisableMinFailures)
	r.duration(CtxParkedTTL, &s.ParkedTTL)
	r.str(CtxLogLevel, &s.LogLevel)
	r.str(CtxPortalProductName, &s.Portal.ProductName)
	r.str(CtxPortalAccentColor, &s.Portal.AccentColor)
	r.str(CtxPortalLogoURL, &s.Portal.LogoURL)
	r.list(CtxPortalFrameAncestors, &s.Portal.FrameAncestors)
	if err := errors.Join(r.errs...); err != nil {
		return Settings{}, err
	}
	return s, s.Validate()
}

var (
	stageRe = regexp.MustCompile(`^(\$default|[A-Za-z0-9_-]{1,128})$`)
	stackRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	// Characters Secrets Manager allows in a name, minus the wildcards that
	// would widen the IAM scope.
	secretPrefixRe = regexp.MustCompile(`^[A-Za-z0-9_+=.@-]+(/[A-Za-z0-9_+=.@-]+)*$`)
	// An OAuth scope token (RFC 6749 section 3.3): printable ASCII without
	// space, '"' or '\'. A space would make it two scopes.
	scopeRe = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
)

// Validate reports every problem at once, each naming its context key.
func (s Settings) Validate() error {
	var errs []error
	bad := func(key, format string, args ...interface{}) {
		errs = append(errs, fmt.Errorf("context %q: "+format, append([]interface{}{key}, args...)...))
	}
	if !stackRe.MatchString(s.StackName) {
		bad(CtxStackName, "%q is not a valid stack name", s.StackName)
	}
	if err := config.CheckHeaderPrefix(s.HeaderPrefix); err != nil {
		bad(CtxHeaderPrefix, "%v", err)
	}
	if u, err := url.Parse(s.JWTIssuer); err != nil || u.Scheme != "https" || u.Host == "" {
		bad(CtxJWTIssuer, "%q must be an https:// URL with a host (API Gateway fetches its OIDC discovery document)", s.JWTIssuer)
	}
	if len(s.JWTAudience) == 0 {
		bad(CtxJWTAudience, "at least one audience is required")
	}
	for key, v := range map[string]string{CtxOrgClaim: s.OrgClaim, CtxOperatorClaim: s.OperatorClaim, CtxOperatorValue: s.OperatorValue} {
		if v == "" {
			bad(key, "must not be empty")
		}
	}
	if err := config.CheckClaims(s.OrgClaim, s.OperatorClaim); err != nil && s.OrgClaim != "" {
		bad(CtxOperatorClaim, "%v (orgClaim is %q)", err, s.OrgClaim)
	}
	if !scopeRe.MatchString(s.OperatorScope) {
		bad(CtxOperatorScope, "%q must be one OAuth scope (printable ASCII, no spaces, quotes or backslashes)", s.OperatorScope)
	}
	if len(s.RetrySchedule) == 0 {
		bad(CtxRetrySchedule, "at least one step is required")
	}
	if n := config.DeliveryMaxReceive(s.RetrySchedule); n > sqsMaxReceiveCount {
		bad(CtxRetrySchedule, "%d steps make the delivery queues' maxReceiveCount %d, over the %d SQS allows", len(s.RetrySchedule), n, sqsMaxReceiveCount)
	}
	for _, fn := range []string{fnAPI, fnFanout, fnDeliver} {
		if n, longest := envBytes(s, fn); n > lambdaEnvBytes {
			bad(cmp.Or(contextKeyOf[longest], longest), "the %s function's environment would take up to %d bytes with its resources' names, over Lambda's %d (%s is %d bytes)",
				fn, n, lambdaEnvBytes, longest, len(settingValues(s)[longest]))
		}
	}
	if span := config.ScheduleSpan(s.RetrySchedule); span > config.RetryBudget {
		bad(CtxRetrySchedule, "steps with their 10%% jitter span %s; they must fit in %s so messages outlive their retries in the delivery queue (retention %s)",
			span, config.RetryBudget, config.DeliveryRetention)
	}
	// Whole seconds: the deliver function's timeout is this plus 20 s, and
	// Lambda takes whole seconds.
	if err := config.CheckDeliveryTimeout(s.DeliveryTimeout); err != nil {
		bad(CtxDeliveryTimeout, "%v", err)
	}
	if s.SecretGrace <= 0 {
		bad(CtxSecretGrace, "%s must be positive", s.SecretGrace)
	}
	if s.AttemptTTL < time.Hour {
		bad(CtxAttemptTTL, "%s must be at least 1h", s.AttemptTTL)
	}
	if !secretPrefixRe.MatchString(s.SecretPrefix) {
		bad(CtxSecretPrefix, "%q must be a Secrets Manager name path without wildcards or a trailing '/'", s.SecretPrefix)
	}
	if !config.ValidSecretStore(s.SecretStore) {
		bad(CtxSecretStore, "%q must be %s", s.SecretStore, config.SecretStoreChoices)
	}
	if !stageRe.MatchString(s.StageName) {
		bad(CtxStageName, "%q must be $default or letters, digits, '-' and '_'", s.StageName)
	}
	if _, ok := applicationLogLevels[s.LogLevel]; !ok {
		bad(CtxLogLevel, "%q must be DEBUG, INFO, WARN or ERROR", s.LogLevel)
	}
	if s.RemovalPolicy != "retain" && s.RemovalPolicy != "destroy" {
		bad(CtxRemovalPolicy, "%q must be retain or destroy", s.RemovalPolicy)
	}
	if s.MaxWebhooksPerOrg <= 0 {
		bad(CtxMaxWebhooks, "%d must be positive", s.MaxWebhooksPerOrg)
	}
	if a, err := mail.ParseAddress(s.AlarmEmail); s.AlarmEmail != "" && (err != nil || a.Address != s.AlarmEmail) {
		bad(CtxAlarmEmail, "%q is not an email address (name@domain)", s.AlarmEmail)
	}
	// The SQS event source's maximum concurrency must be 2..1000.
	if s.FanoutReservedConcurrency != 0 && (s.FanoutReservedConcurrency < 2 || s.FanoutReservedConcurrency > 1000) {
		bad(CtxFanoutReserved, "%d must be 0 (no reservation) or 2..1000", s.FanoutReservedConcurrency)
	}
	if s.APIReservedConcurrency < 0 || s.APIReservedConcurrency > 1000 {
		bad(CtxAPIReserved, "%d must be 0 (no reservation) or 1..1000", s.APIReservedConcurrency)
	}
	// Split over the lanes, each share must still be an event source's
	// minimum of 2.
	if s.DeliverMaxConcurrency < 2*lanes.Count || s.DeliverMaxConcurrency > 1000 {
		bad(CtxDeliverConcurrency, "%d must be %d..1000: it is split evenly over the %d delivery lanes, and each lane's event source needs at least 2",
			s.DeliverMaxConcurrency, 2*lanes.Count, lanes.Count)
	}
	for key, w := range map[string]time.Duration{CtxFanoutBatchWindow: s.FanoutBatchWindow, CtxDeliverBatchWindow: s.DeliverBatchWindow} {
		if w < 0 || w > config.MaxBatchWindow || w%time.Second != 0 {
			bad(key, "%s must be whole seconds in [0s, %s] (the SQS event source's batching window)", w, config.MaxBatchWindow)
		}
	}
	if s.APIRateLimit <= 0 {
		bad(CtxAPIRateLimit, "%d must be positive", s.APIRateLimit)
	}
	if s.APIBurstLimit <= 0 {
		bad(CtxAPIBurstLimit, "%d must be positive", s.APIBurstLimit)
	}
	if s.OrgRateLimit < 0 || s.OrgRateLimit > 10000 {
		bad(CtxOrgRateLimit, "%d must be 0 (no limit) to 10000", s.OrgRateLimit)
	}
	if err := config.CheckDisableAfter(s.DisableAfter); err != nil {
		bad(CtxDisableAfter, "%v", err)
	}
	if s.DisableMinFailures < 0 {
		bad(CtxDisableMinFailures, "%d must be 0 (off) or positive", s.DisableMinFailures)
	}
	// A parked delivery must outlive a weekend's outage, and its body is
	// re-sent from the item, so it must not expire before it is recovered.
	if s.ParkedTTL < time.Hour {
		bad(CtxParkedTTL, "%s must be at least 1h", s.ParkedTTL)
	}
	if err := s.Portal.ValidateAs(portalContextNames); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// portalContextNames words the brand's errors like the other keys'.
var portalContextNames = config.PortalNames{
	ProductName:    fmt.Sprintf("context %q", CtxPortalProductName),
	AccentColor:    fmt.Sprintf("context %q", CtxPortalAccentColor),
	LogoURL:        fmt.Sprintf("context %q", CtxPortalLogoURL),
	FrameAncestors: fmt.Sprintf("context %q", CtxPortalFrameAncestors),
}
