package e2e

// The first tests of functions/*: each built bootstrap (for this machine's
// architecture, with the deployed build's flags) runs under a fake Lambda
// Runtime API (shared/runtimeapi) against dynalite and goaws, and answers
// the events Lambda would hand it: API Gateway's HTTP API (payload v2,
// JWT authorizer claims) for api, SQS batches for fanout and deliver.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devbus"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/runtimeapi"
	"github.com/hookrelay/hookrelay/shared/sqsqueue"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/verify"
)

// lambdaPatience bounds one invocation or one cold start on a loaded machine.
const lambdaPatience = time.Minute

// buildPatience bounds building the three bootstraps. Nothing else in make
// test compiles for this machine with their tags and -trimpath, so on a
// clean clone it compiles the standard library and the AWS SDK anew: 40 s
// on an idle 2-core machine, several times that beside the other packages'
// tests. The bound only names the step that hung; go test -timeout (30m in
// make test) still ends the whole run.
const buildPatience = 15 * time.Minute

// bootstrapDir holds the bootstraps built for this test binary; TestMain
// removes it after every test and benchmark that used them.
var bootstrapDir string

// buildLambdas builds the three bootstraps once per test binary.
var buildLambdas = sync.OnceValues(func() (map[string]string, error) {
	dir, err := os.MkdirTemp("", "hookrelay-bootstraps-")
	if err != nil {
		return nil, err
	}
	bootstrapDir = dir
	ctx, cancel := context.WithTimeout(context.Background(), buildPatience)
	defer cancel()
	return runtimeapi.Build(ctx, "..", dir, runtimeapi.Host)
})

func bootstraps(tb testing.TB) map[string]string {
	tb.Helper()
	bins, err := buildLambdas()
	if err != nil {
		tb.Fatal(err)
	}
	return bins
}

// unexpectedAWS stands in for every AWS endpoint a test does not point at
// an emulator (AWS_ENDPOINT_URL): nothing leaves loopback, and a call the
// scenario should not make fails the test.
func unexpectedAWS(tb testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tb.Errorf("unexpected AWS call: %s %s (X-Amz-Target %q)", r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"))
		http.Error(w, `{"__type":"UnexpectedCall"}`, http.StatusBadRequest)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// lambdaEnv is what the stack and the Lambda runtime set, with the SDK's
// endpoint variables aimed at the local services.
func lambdaEnv(fallback string, endpoints, settings map[string]string) []string {
	env := []string{
		"AWS_REGION=" + emulator.Region, "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_LAMBDA_FUNCTION_NAME=hookrelay", "AWS_ENDPOINT_URL=" + fallback,
		config.EnvTable + "=hookrelay", config.EnvEventBus + "=hookrelay", config.EnvSecretPrefix + "=hookrelay/webhooks",
	}
	for service, url := range endpoints {
		env = append(env, "AWS_ENDPOINT_URL_"+service+"="+url)
	}
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	return env
}

func startLambda(tb testing.TB, bin string, env []string) *runtimeapi.Function {
	tb.Helper()
	f, err := runtimeapi.Start(bin, env)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(f.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), lambdaPatience)
	defer cancel()
	if _, err := f.InitDuration(ctx); err != nil {
		tb.Fatal(err)
	}
	return f
}

func invoke[T any](t *testing.T, f *runtimeapi.Function, event any) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lambdaPatience)
	defer cancel()
	raw, err := f.Invoke(ctx, event)
	if err != nil {
		t.Fatalf("invoke: %v\nfunction log:\n%s", err, f.Output())
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response %s: %v", raw, err)
	}
	return out
}

// receipt is one POST the loopback receiver got.
type receipt struct {
	header http.Header
	body   []byte
}

func TestLambdaBinariesCreateFanOutAndDeliver(t *testing.T) {
	t.Run(config.SecretStoreSecretsManager, func(t *testing.T) { lambdaCreateFanOutDeliver(t, config.SecretStoreSecretsManager) })
	// With the envelope store no function may call Secrets Manager: it is
	// not pointed at anything but the endpoint that fails the test.
	t.Run(config.SecretStoreEnvelope, func(t *testing.T) { lambdaCreateFanOutDeliver(t, config.SecretStoreEnvelope) })
	// While moving, the webhook's secrets go to both stores.
	t.Run(config.SecretStoreToEnvelope, func(t *testing.T) { lambdaCreateFanOutDeliver(t, config.SecretStoreToEnvelope) })
}

func lambdaCreateFanOutDeliver(t *testing.T, store string) {
	bins := bootstraps(t)
	ctx := context.Background()
	db, table := testenv.Table(t)
	goaws := testenv.Goaws(t)
	sqsAPI := testenv.SQSClient(t, goaws)
	queues := map[string]string{}
	for _, env := range []string{config.EnvIngestQueueURL, config.EnvIngestDLQURL, config.EnvDeliveryQueueURL, config.EnvDLQURL} {
		queues[env] = testenv.Queue(t, sqsAPI, strings.ToLower(strings.TrimPrefix(env, "HOOKRELAY_")), nil)
	}
	settings := map[string]string{config.EnvTable: table, config.EnvAllowLoopback: "true", config.EnvSecretStore: store}
	for k, v := range queues {
		settings[k] = v
	}
	endpoints := map[string]string{"DYNAMODB": *db.Options().BaseEndpoint, "SQS": goaws}
	var sm *testenv.SecretsManager
	target, source := config.SecretStores(store)
	if config.UsesKMS(store) {
		kmsAPI, keyID := testenv.LocalKMS(t)
		endpoints["KMS"], settings[config.EnvSecretKey] = *kmsAPI.Options().BaseEndpoint, keyID
	}
	if target == config.SecretStoreSecretsManager || source == config.SecretStoreSecretsManager {
		sm = testenv.NewSecretsManager(t)
		endpoints["SECRETS_MANAGER"] = sm.URL
	}
	env := lambdaEnv(unexpectedAWS(t), endpoints, settings)

	receipts := make(chan receipt, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		receipts <- receipt{header: r.Header.Clone(), body: body}
	}))
	t.Cleanup(receiver.Close)

	api, fanout, deliver := startLambda(t, bins["api"], env), startLambda(t, bins["fanout"], env), startLambda(t, bins["deliver"], env)

	// api: POST a webhook as API Gateway hands it over, JWT claims included.
	const org = "org_coldstart"
	created := invoke[events.APIGatewayV2HTTPResponse](t, api, httpAPIEvent("POST", "/api/v1/organization/webhooks", org,
		`{"name":"cold","url":"`+receiver.URL+`/hook","event_types":["emailOpen"]}`))
	body := created.Body
	if created.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(body)
		body = string(b)
	}
	if created.StatusCode != http.StatusCreated {
		t.Fatalf("create webhook: %d %s\nfunction log:\n%s", created.StatusCode, body, api.Output())
	}
	var hook struct {
		ID     string `json:"id"`
		Secret string `json:"signing_secret"`
	}
	if err := json.Unmarshal([]byte(body), &hook); err != nil || hook.ID == "" || !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("create webhook answered %s (%v)", body, err)
	}
	// A named stage ("-c stageName=prod") comes with the stage in the path.
	staged := httpAPIEvent("GET", "/prod/api/v1/organization/webhooks/"+hook.ID, org, "")
	staged.RequestContext.Stage = "prod"
	if got := invoke[events.APIGatewayV2HTTPResponse](t, api, staged); got.StatusCode != http.StatusOK || !strings.Contains(got.Body, hook.ID) {
		t.Fatalf("GET through the stage prod: %d %s", got.StatusCode, got.Body)
	}
	stored, err := dynamo.NewWebhookStore(db, table).Get(ctx, org, hook.ID)
	if err != nil || stored.URL != receiver.URL+"/hook" {
		t.Fatalf("webhook in dynalite: %+v, %v", stored, err)
	}
	if sm != nil {
		if _, ok := sm.Secret("hookrelay/webhooks/" + org + "/" + hook.ID); !ok {
			t.Fatalf("no signing secret stored for %s", hook.ID)
		}
	}
	if config.UsesKMS(store) {
		if _, err := dynamo.NewSealedItems(db, table).GetSealed(ctx, org, hook.ID); err != nil {
			t.Fatalf("no sealed signing secrets on %s: %v", hook.ID, err)
		}
	}

	// fanout: an ingest record as EventBridge's SQS target writes it.
	sqsq := sqsqueue.New(sqsAPI)
	example, err := os.ReadFile("../catalog/types/emailOpen.example.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := devbus.NewLocal(sqsq, queues[config.EnvIngestQueueURL]).Put(ctx, []bus.Event{{OrgID: org, EventName: "emailOpen", Data: example}}); err != nil {
		t.Fatal(err)
	}
	ingest := receiveOne(t, sqsq, queues[config.EnvIngestQueueURL])
	if res := invoke[events.SQSEventResponse](t, fanout, events.SQSEvent{Records: []events.SQSMessage{ingest}}); len(res.BatchItemFailures) != 0 {
		t.Fatalf("fanout failed items %+v\nfunction log:\n%s", res.BatchItemFailures, fanout.Output())
	}
	delivery := receiveOne(t, sqsq, queues[config.EnvDeliveryQueueURL])
	d, err := message.Decode(delivery.Body)
	if err != nil || d.WebhookID != hook.ID || d.OrgID != org || d.EventName != "emailOpen" {
		t.Fatalf("delivery message %+v (%v), want one for %s", d, err, hook.ID)
	}

	// deliver: the delivery message becomes a signed POST to the receiver.
	if res := invoke[events.SQSEventResponse](t, deliver, events.SQSEvent{Records: []events.SQSMessage{delivery}}); len(res.BatchItemFailures) != 0 {
		t.Fatalf("deliver failed items %+v\nfunction log:\n%s", res.BatchItemFailures, deliver.Output())
	}
	select {
	case got := <-receipts:
		if err := verify.Verify(hook.Secret, got.header, got.body, config.Defaults().HeaderPrefix, time.Now()); err != nil {
			t.Errorf("the POST does not verify with the webhook's secret: %v", err)
		}
		if !strings.Contains(string(got.body), d.EventID) {
			t.Errorf("POST body %s does not carry event %s", got.body, d.EventID)
		}
	default:
		t.Fatalf("deliver answered success without a POST to the receiver\nfunction log:\n%s", deliver.Output())
	}
}

func receiveOne(t *testing.T, q *sqsqueue.Client, url string) events.SQSMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lambdaPatience)
	defer cancel()
	for ctx.Err() == nil {
		msgs, err := q.Receive(ctx, url, 10, time.Second, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > 1 {
			t.Fatalf("%d messages on %s, want one", len(msgs), url)
		}
		if len(msgs) == 1 {
			return msgs[0]
		}
	}
	t.Fatalf("no message on %s", url)
	return events.SQSMessage{}
}

// httpAPIEvent is the payload v2 event of API Gateway's HTTP API after its
// JWT authorizer accepted a token carrying org as the org_id claim.
func httpAPIEvent(method, path, org, body string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: path,
		Headers: map[string]string{"content-type": "application/json"},
		Body:    body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "$default", Stage: "$default", RequestID: "coldstart-1",
			DomainName: "api.example.com", TimeEpoch: time.Now().UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"org_id": org, "sub": "user_1"}},
			},
		},
	}
}
