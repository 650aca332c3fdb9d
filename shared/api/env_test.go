package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devsecrets"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

var secretPattern = regexp.MustCompile(`^whsec_[A-Za-z0-9+/]{43}=$`)

// env is the API wired to a real dynalite table and the local secrets
// store, with recording doubles for the other teams' interfaces.
type env struct {
	t        testing.TB
	h        http.Handler
	cfg      config.Config
	store    webhook.Store
	secrets  *trackingSecrets
	pub      *recordingPublisher
	dlv      *recordingDeliveries
	attempts *recordingAttempts
	catalog  *catalog.Catalog
	key      []byte
	logs     *testenv.Buffer
	router   routers.Router
	// seen collects every token and secret handed out, to prove none of
	// them reaches the logs.
	seen []string
}

type envOption func(*api.Deps)

// dynaliteEndpoint is one dynalite for the whole package (started by
// TestMain); every env gets its own table on it.
var (
	dynaliteEndpoint string
	tableSeq         atomic.Int64
)

func TestMain(m *testing.M) {
	p, err := emulator.StartDynalite(context.Background(), emulator.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start dynalite (run `make tools`):", err)
		os.Exit(1)
	}
	dynaliteEndpoint = p.Endpoint
	code := m.Run()
	p.Stop()
	os.Exit(code)
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	local, err := devsecrets.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		t:        t,
		cfg:      config.Defaults(),
		store:    newWebhookStore(t, testenv.DynamoClient(t, dynaliteEndpoint)),
		secrets:  &trackingSecrets{Store: local, live: map[string]bool{}},
		pub:      &recordingPublisher{},
		dlv:      &recordingDeliveries{},
		attempts: &recordingAttempts{},
		catalog:  catalogtest.Default(t),
		key:      bytes.Repeat([]byte{42}, 32),
		logs:     &testenv.Buffer{},
	}
	d := api.Deps{
		Config:     e.cfg,
		Auth:       devauth.NewDevJWT(e.key, e.cfg),
		Webhooks:   e.store,
		Secrets:    e.secrets,
		Catalog:    e.catalog,
		Publisher:  e.pub,
		Deliveries: e.dlv,
		Attempts:   e.attempts,
		Logger:     slog.New(slog.NewJSONHandler(e.logs, nil)),
	}
	for _, o := range opts {
		o(&d)
	}
	e.cfg = d.Config
	e.h = api.NewHandler(d)
	e.router = e.specRouter()
	t.Cleanup(e.checkLogs)
	return e
}

// newWebhookStore is a webhook store over a fresh table on the package's dynalite.
func newWebhookStore(t testing.TB, db *dynamodb.Client) *dynamo.WebhookStore {
	t.Helper()
	table := fmt.Sprintf("api-test-%d", tableSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := dynamo.EnsureTable(ctx, db, table); err != nil {
		t.Fatal(err)
	}
	return dynamo.NewWebhookStore(db, table)
}

// specRouter loads the document the API serves, so every response the
// tests see is also checked against it.
func (e *env) specRouter() routers.Router {
	res := e.do(http.MethodGet, "/openapi.json", "", nil)
	if res.status != http.StatusOK {
		e.t.Fatalf("GET /openapi.json: %d", res.status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(res.body)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		e.t.Fatalf("openapi document invalid: %v", err)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// token is a tenant's bearer token for org; operatorToken an operator's.
func (e *env) token(org string) string {
	e.t.Helper()
	return e.issue(org, false)
}

func (e *env) operatorToken(org string) string {
	e.t.Helper()
	return e.issue(org, true)
}

// issue mints a token, and remembers it among the values the logs may
// never show (seen).
func (e *env) issue(org string, operator bool) string {
	e.t.Helper()
	tok, err := devauth.NewDevJWT(e.key, e.cfg).Issue(org, operator, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	e.seen = append(e.seen, tok)
	return tok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request (body: nil, string/[]byte as is, anything else as
// JSON) and validates the response against the OpenAPI document whenever
// the route is in it.
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	return e.send(newRequest(method, path, token, raw))
}

func newRequest(method, path, token string, body []byte) *http.Request {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

func (e *env) send(r *http.Request) response {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if ct := res.header.Get("Content-Type"); len(res.body) > 0 && ct != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q", r.Method, r.URL.Path, ct)
	}
	if e.router != nil {
		e.validate(r, res)
	}
	var created struct {
		SigningSecret string `json:"signing_secret"`
	}
	if json.Unmarshal(res.body, &created) == nil && created.SigningSecret != "" {
		e.seen = append(e.seen, created.SigningSecret)
	}
	return res
}

func (e *env) validate(r *http.Request, res response) {
	e.t.Helper()
	if err := e.checkResponse(r, res); err != nil {
		e.t.Errorf("%s %s -> %d does not match the OpenAPI document: %v\nbody: %s", r.Method, r.URL.Path, res.status, err, res.body)
	}
}

func (e *env) checkResponse(r *http.Request, res response) error {
	probe := r.Clone(context.Background())
	probe.Body = http.NoBody
	route, params, err := e.router.FindRoute(probe)
	if err != nil {
		return nil // not an operation of the API (unknown route, wrong method)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route},
		Status:                 res.status,
		Header:                 res.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(res.body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// checkLogs runs at cleanup: no token or secret ever reaches the log.
func (e *env) checkLogs() {
	logs := e.logs.String()
	testenv.CheckLogLines(e.t, logs)
	for _, s := range e.seen {
		if strings.Contains(logs, s) {
			e.t.Errorf("logs contain a token or secret")
		}
	}
}

func (res response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(res.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, res.body)
	}
	return m
}

// wantError asserts the status and the JSON error code, and returns the message.
func (res response) wantError(t testing.TB, status int, code string) string {
	t.Helper()
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, res.body)
	}
	if res.status != status || body.Error.Code != code || body.Error.Message == "" {
		t.Fatalf("got %d %s %q, want %d %s", res.status, body.Error.Code, body.Error.Message, status, code)
	}
	return body.Error.Message
}

type webhookBody struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	URL           string    `json:"url"`
	EventTypes    []string  `json:"event_types"`
	AllEvents     bool      `json:"all_events"`
	Enabled       bool      `json:"enabled"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	SigningSecret string    `json:"signing_secret"`
}

func (res response) webhook(t testing.TB) webhookBody {
	t.Helper()
	var w webhookBody
	if err := json.Unmarshal(res.body, &w); err != nil {
		t.Fatalf("webhook body: %v: %s", err, res.body)
	}
	return w
}

type listBody struct {
	Data       []webhookBody `json:"data"`
	NextCursor string        `json:"next_cursor"`
}

func (res response) list(t testing.TB) listBody {
	t.Helper()
	var l listBody
	if err := json.Unmarshal(res.body, &l); err != nil {
		t.Fatalf("list body: %v: %s", err, res.body)
	}
	return l
}

const webhooksPath = "/api/v1/organization/webhooks"

func createBody(name string, types ...string) map[string]any {
	return map[string]any{"name": name, "url": "https://example.com/hooks/" + name, "event_types": types}
}

// create makes a webhook and fails the test unless it got 201.
func (e *env) create(token string, body any) webhookBody {
	e.t.Helper()
	res := e.do(http.MethodPost, webhooksPath, token, body)
	if res.status != http.StatusCreated {
		e.t.Fatalf("create: %d %s", res.status, res.body)
	}
	return res.webhook(e.t)
}

// trackingSecrets wraps the local store, remembering which webhooks have a
// live secret so tests can prove no orphan is left behind.
type trackingSecrets struct {
	secrets.Store
	mu         sync.Mutex
	live       map[string]bool
	failCreate error
	// failDeletions fails that many ScheduleDeletion calls before passing them on.
	failDeletions int
}

func (s *trackingSecrets) Create(ctx context.Context, org, id, secret string) error {
	if s.failCreate != nil {
		return s.failCreate
	}
	err := s.Store.Create(ctx, org, id, secret)
	if err == nil {
		s.mu.Lock()
		s.live[org+"/"+id] = true
		s.mu.Unlock()
	}
	return err
}

func (s *trackingSecrets) ScheduleDeletion(ctx context.Context, org, id string) error {
	s.mu.Lock()
	if s.failDeletions > 0 {
		s.failDeletions--
		s.mu.Unlock()
		return errBoom
	}
	s.mu.Unlock()
	err := s.Store.ScheduleDeletion(ctx, org, id)
	if err == nil {
		s.mu.Lock()
		delete(s.live, org+"/"+id)
		s.mu.Unlock()
	}
	return err
}

func (s *trackingSecrets) liveIDs() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for k := range s.live {
		out[k] = true
	}
	return out
}

type publishCall struct {
	org, name, producerID string
	data                  json.RawMessage
}

type recordingPublisher struct {
	mu    sync.Mutex
	calls []publishCall
	err   error
}

func (p *recordingPublisher) Publish(_ context.Context, org, name string, data json.RawMessage, producerID string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, publishCall{org: org, name: name, data: append(json.RawMessage(nil), data...), producerID: producerID})
	if p.err != nil {
		return "", p.err
	}
	return "evt_01jt3v5d4z8k2m6q9r0s1t2v3w", nil
}

type resendCall struct{ org, webhookID, deliveryID string }

type recordingDeliveries struct {
	mu        sync.Mutex
	resends   []resendCall
	tests     []webhook.Webhook
	resendErr error
	testErr   error
	panicMsg  string
}

func (d *recordingDeliveries) Resend(_ context.Context, w webhook.Webhook, deliveryID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.resends = append(d.resends, resendCall{w.OrgID, w.ID, deliveryID})
	return d.resendErr
}

func (d *recordingDeliveries) SendTest(_ context.Context, w webhook.Webhook) (string, error) {
	if d.panicMsg != "" {
		panic(d.panicMsg)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tests = append(d.tests, w)
	if d.testErr != nil {
		return "", d.testErr
	}
	return "dlv_0123456789abcdef0123456789abcdef", nil
}

type listCall struct {
	org, webhookID string
	limit          int
	cursor         string
}

type recordingAttempts struct {
	mu       sync.Mutex
	calls    []listCall
	attempts []deliverylog.Attempt
	next     string
	err      error
}

func (a *recordingAttempts) List(_ context.Context, org, webhookID string, limit int, cursor string) ([]deliverylog.Attempt, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, listCall{org, webhookID, limit, cursor})
	return a.attempts, a.next, a.err
}

// failingStore fails Create after the real store would have been asked.
type failingStore struct {
	webhook.Store
	createErr error
	creates   int
}

func (s *failingStore) Create(ctx context.Context, w webhook.Webhook, max int) error {
	s.creates++
	if s.createErr != nil {
		return s.createErr
	}
	return s.Store.Create(ctx, w, max)
}

var errBoom = errors.New("boom: internal detail that must not leak")
