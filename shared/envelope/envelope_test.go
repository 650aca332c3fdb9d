package envelope_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// stack is one dynalite table and one local-kms key; each store made from
// it is one container (its own data key cache). Every KMS request is kept.
type stack struct {
	db    *dynamodb.Client
	table string
	kms   *kms.Client
	keyID string

	mu       sync.Mutex
	requests []any // KMS operation inputs, in order
}

func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{}
	s.db, s.table = testenv.Table(t)
	var raw *kms.Client
	raw, s.keyID = testenv.LocalKMS(t)
	s.kms = kms.New(raw.Options(), func(o *kms.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("record", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				s.mu.Lock()
				s.requests = append(s.requests, in.Parameters)
				s.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	})
	return s
}

func (s *stack) store() *envelope.Store {
	return envelope.New(awskms.New(s.kms, s.keyID), dynamo.NewSealedItems(s.db, s.table))
}

// kmsCalls returns the KMS requests since the last call.
func (s *stack) kmsCalls() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.requests
	s.requests = nil
	return out
}

func (s *stack) item(t *testing.T, org, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := s.db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.table), ConsistentRead: aws.Bool(true),
		Key: dynamo.WebhookKey(org, id),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func TestEnvelopeContract(t *testing.T) {
	secretstest.Contract(t, newStack(t).store())
}

// The KMS requests carry the key, AES_256 and the context {org, webhook}
// the IAM conditions require; the item holds the encrypted data key and a
// box in which neither the secret nor the data key appears.
func TestEnvelopeRequestsAndItem(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	secret := secretstest.Generate(t)
	if err := s.store().Create(ctx, "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	calls := s.kmsCalls()
	if len(calls) != 1 {
		t.Fatalf("create made %d KMS calls, want one GenerateDataKey", len(calls))
	}
	gen, ok := calls[0].(*kms.GenerateDataKeyInput)
	wantCtx := map[string]string{"org": "org_a", "webhook": "wh_1"}
	if !ok || aws.ToString(gen.KeyId) != s.keyID || gen.KeySpec != kmstypes.DataKeySpecAes256 || !maps.Equal(gen.EncryptionContext, wantCtx) {
		t.Fatalf("create sent %#v, want GenerateDataKey of key %s, AES_256, context %v", calls[0], s.keyID, wantCtx)
	}

	item := s.item(t, "org_a", "wh_1")
	key, _ := item[dynamo.AttrSealedKey].(*types.AttributeValueMemberB)
	box, _ := item[dynamo.AttrSealedBox].(*types.AttributeValueMemberB)
	if key == nil || box == nil || len(item) != 4 {
		t.Fatalf("item has attributes %v, want pk, sk and the two sealed ones", slices(item))
	}
	if bytes.Contains(box.Value, []byte(secret)) || bytes.Contains(key.Value, []byte(secret)) {
		t.Fatal("the item holds the secret in plaintext")
	}
	plain, err := s.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: key.Value, EncryptionContext: wantCtx})
	if err != nil {
		t.Fatalf("the stored data key does not decrypt with its context: %v", err)
	}
	if bytes.Contains(box.Value, plain.Plaintext) {
		t.Fatal("the box holds the data key")
	}

	// A fresh container decrypts with the same key and context.
	s.kmsCalls()
	secretstest.AssertActive(t, s.store(), "org_a", "wh_1", time.Now(), secret)
	calls = s.kmsCalls()
	dec, ok := calls[0].(*kms.DecryptInput)
	if len(calls) != 1 || !ok || aws.ToString(dec.KeyId) != s.keyID || !maps.Equal(dec.EncryptionContext, wantCtx) || !bytes.Equal(dec.CiphertextBlob, key.Value) {
		t.Fatalf("a cold read sent %#v, want one Decrypt of the stored key with context %v", calls, wantCtx)
	}
}

func slices(m map[string]types.AttributeValue) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Data keys are cached per container: after the first read (or the
// create) a webhook's secrets open without KMS, through rotations too.
func TestEnvelopeSteadyStateMakesNoKMSCall(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	api, deliver := s.store(), s.store()
	first, second := secretstest.Generate(t), secretstest.Generate(t)
	if err := api.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, api, "org_a", "wh_1", time.Now(), first)
	if n := len(s.kmsCalls()); n != 1 {
		t.Fatalf("create and a read in one container made %d KMS calls, want 1 (GenerateDataKey)", n)
	}
	secretstest.AssertActive(t, deliver, "org_a", "wh_1", time.Now(), first)
	if n := len(s.kmsCalls()); n != 1 {
		t.Fatalf("another container's first read made %d KMS calls, want 1 (Decrypt)", n)
	}
	for range 5 {
		secretstest.AssertActive(t, deliver, "org_a", "wh_1", time.Now(), first)
	}
	if _, err := api.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(second, time.Hour)); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, deliver, "org_a", "wh_1", time.Now(), second, first)
	if calls := s.kmsCalls(); len(calls) != 0 {
		t.Fatalf("steady reads and a rotation made %d KMS calls, want none", len(calls))
	}
}

// A sealed form copied onto another webhook's item does not open there:
// KMS refuses the data key under the other context, even in a container
// that has the key cached for the first webhook.
func TestEnvelopeBindsSecretsToTheirWebhook(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	st := s.store()
	if err := st.Create(ctx, "org_a", "wh_1", secretstest.Generate(t)); err != nil {
		t.Fatal(err)
	}
	item := s.item(t, "org_a", "wh_1")
	for _, target := range [][2]string{{"org_b", "wh_1"}, {"org_a", "wh_2"}} {
		copied := maps.Clone(item)
		copied[dynamo.AttrPK] = &types.AttributeValueMemberS{Value: dynamo.OrgKeyPrefix + target[0]}
		copied[dynamo.AttrSK] = &types.AttributeValueMemberS{Value: "WH#" + target[1]}
		if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: copied}); err != nil {
			t.Fatal(err)
		}
		for name, store := range map[string]*envelope.Store{"warm": st, "cold": s.store()} {
			if got, err := secretstest.Active(ctx, store, target[0], target[1], time.Now()); err == nil {
				t.Errorf("%s container opened %s/%s's copy of another webhook's secrets (%d secrets)", name, target[0], target[1], len(got))
			}
		}
	}
}

// Sealed secrets are written before their webhook: until the webhook is
// written no read sees a webhook there, the write keeps them, and a
// failed create's removal deletes the whole item.
func TestSealedItemsBeforeTheWebhook(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	st := s.store()
	hooks := dynamo.NewWebhookStore(s.db, s.table)
	secret := secretstest.Generate(t)
	now := time.Now().UTC()
	hook := webhook.Webhook{ID: "wh_1", OrgID: "org_a", Name: "n", URL: "https://example.com/h", AllEvents: true, EventTypes: []string{"*"}, Enabled: true, CreatedAt: now, UpdatedAt: now}

	if err := st.Create(ctx, "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	if _, err := hooks.Get(ctx, "org_a", "wh_1"); !errors.Is(err, webhook.ErrNotFound) {
		t.Fatalf("Get of sealed secrets without a webhook: %v, want ErrNotFound", err)
	}
	if list, _, err := hooks.List(ctx, "org_a", 10, ""); err != nil || len(list) != 0 {
		t.Fatalf("List = %d webhooks, %v; want none", len(list), err)
	}
	n := 0
	if err := hooks.ForEachSubscribed(ctx, "org_a", "any.event", func(p []webhook.Webhook) error { n += len(p); return nil }); err != nil || n != 0 {
		t.Fatalf("fan-out found %d webhooks, %v; want none", n, err)
	}
	if err := hooks.Create(ctx, hook, 10); err != nil {
		t.Fatal(err)
	}
	another := hook
	another.CreatedAt = now.Add(time.Second)
	if err := hooks.Create(ctx, another, 10); err == nil {
		t.Fatal("another create of the same webhook id succeeded")
	}
	got, err := hooks.Get(ctx, "org_a", "wh_1")
	if err != nil || got.URL != hook.URL {
		t.Fatalf("Get after create: %+v, %v", got, err)
	}
	secretstest.AssertActive(t, s.store(), "org_a", "wh_1", time.Now(), secret)

	// A create whose webhook write fails: the removal leaves no item.
	if err := st.Create(ctx, "org_a", "wh_2", secret); err != nil {
		t.Fatal(err)
	}
	if err := st.ScheduleDeletion(ctx, "org_a", "wh_2"); err != nil {
		t.Fatal(err)
	}
	if item := s.item(t, "org_a", "wh_2"); item != nil {
		t.Fatalf("a failed create left item attributes %v", slices(item))
	}
	// On a webhook the removal keeps the webhook.
	if err := st.ScheduleDeletion(ctx, "org_a", "wh_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := hooks.Get(ctx, "org_a", "wh_1"); err != nil {
		t.Fatalf("removing the secrets removed the webhook: %v", err)
	}
	if _, ok := s.item(t, "org_a", "wh_1")[dynamo.AttrSealedBox]; ok {
		t.Fatal("the sealed secrets are still on the webhook")
	}
	// A deleted webhook takes its secrets along: a later removal is a 404.
	if err := st.Create(ctx, "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	if err := hooks.Delete(ctx, "org_a", "wh_1"); err != nil {
		t.Fatal(err)
	}
	if err := st.ScheduleDeletion(ctx, "org_a", "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("ScheduleDeletion after the webhook's delete: %v, want ErrNotFound", err)
	}
}

// Of two rotations that read the same record, the second write fails
// instead of silently dropping the first one's secret.
func TestEnvelopeConcurrentRotationFails(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	a, b := s.store(), s.store()
	first := secretstest.Generate(t)
	if err := a.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	items := dynamo.NewSealedItems(s.db, s.table)
	old, err := items.GetSealed(ctx, "org_a", "wh_1")
	if err != nil {
		t.Fatal(err)
	}
	second := secretstest.Generate(t)
	if _, err := b.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(second, time.Hour)); err != nil {
		t.Fatal(err)
	}
	// a's write over the record it read before b's rotation.
	if err := items.ReplaceSealed(ctx, "org_a", "wh_1", old, old); !errors.Is(err, envelope.ErrSealedChanged) {
		t.Fatalf("stale replace: %v, want ErrSealedChanged", err)
	}
	secretstest.AssertActive(t, a, "org_a", "wh_1", time.Now(), second, first)
}

// readTogether calls arrive before each GetSealed reads.
type readTogether struct {
	envelope.Items
	arrive func()
}

func (r readTogether) GetSealed(ctx context.Context, orgID, webhookID string) (envelope.Sealed, error) {
	r.arrive()
	return r.Items.GetSealed(ctx, orgID, webhookID)
}

// Two rotations in two containers, both having read the sealed record
// before either reseals, both answer success and both secrets are kept:
// the one whose reseal lost is made again over the other's record
// (no rotation that answered success is lost).
func TestEnvelopeConcurrentRotationsKeepBothSecrets(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	if err := s.store().Create(ctx, "org_a", "wh_1", secretstest.Generate(t)); err != nil {
		t.Fatal(err)
	}
	arrive := secretstest.Together(t, 2)
	next := [2]string{secretstest.Generate(t), secretstest.Generate(t)}
	var errs [2]error
	var wg sync.WaitGroup
	for i, secret := range next {
		store := envelope.New(awskms.New(s.kms, s.keyID), readTogether{dynamo.NewSealedItems(s.db, s.table), arrive})
		wg.Go(func() { _, errs[i] = store.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(secret, time.Hour)) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("rotations: %v, %v; want both to succeed", errs[0], errs[1])
	}
	r, err := s.store().Record(ctx, "org_a", "wh_1")
	if err != nil || !(r.Current == next[0] && r.Previous == next[1] || r.Current == next[1] && r.Previous == next[0]) {
		t.Fatalf("after both rotations (%v): want one current and the other previous", err)
	}
}
