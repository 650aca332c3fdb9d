package secretmigrate_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/awssecrets"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

const (
	sm    = config.SecretStoreSecretsManager
	env   = config.SecretStoreEnvelope
	toEnv = config.SecretStoreToEnvelope
	toSM  = config.SecretStoreToSecretsManager
)

// world is one table on dynalite, one local-kms key and the fake Secrets
// Manager; markFault, when set, fails the migration's item switch.
type world struct {
	t         *testing.T
	db        *dynamodb.Client
	table     string
	hooks     *dynamo.WebhookStore
	sm        *awssecrets.Store
	smFake    *testenv.SecretsManager
	env       *envelope.Store
	markFault atomic.Pointer[string] // webhook id whose switch fails
}

func newWorld(t *testing.T) *world {
	w := &world{t: t}
	db, table := testenv.Table(t)
	endpoint := *db.Options().BaseEndpoint
	w.db, w.table = db, table
	w.hooks = dynamo.NewWebhookStore(db, table)
	kmsAPI, keyID := testenv.LocalKMS(t)
	w.env = envelope.New(awskms.New(kmsAPI, keyID), dynamo.NewSealedItems(db, table))
	w.smFake = testenv.NewSecretsManager(t)
	w.sm = awssecrets.New(secretsmanager.NewFromConfig(testenv.AWSConfig(t), func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String(w.smFake.URL)
	}), "")
	// The migration's own client: its switch of one webhook can be failed.
	faulty := testenv.FaultyDynamoClient(t, endpoint, func(in any) error {
		u, ok := in.(*dynamodb.UpdateItemInput)
		id := w.markFault.Load()
		if ok && id != nil && strings.Contains(aws.ToString(u.UpdateExpression), "#store") && u.Key[dynamo.AttrSK].(*types.AttributeValueMemberS).Value == "WH#"+*id {
			return errors.New("injected: the process died before the switch")
		}
		return nil
	})
	w.hooks = dynamo.NewWebhookStore(faulty, table)
	return w
}

// create makes a webhook whose secrets are in store s.
func (w *world) create(id string, s secrets.Store) string {
	w.t.Helper()
	ctx := context.Background()
	secret := secretstest.Generate(w.t)
	if err := s.Create(ctx, "org_a", id, secret); err != nil {
		w.t.Fatal(err)
	}
	now := time.Now().UTC()
	h := webhook.Webhook{ID: id, OrgID: "org_a", Name: id, URL: "https://example.com/" + id, AllEvents: true, EventTypes: []string{"*"}, Enabled: true, CreatedAt: now, UpdatedAt: now}
	if err := w.hooks.Create(ctx, h, 100); err != nil {
		w.t.Fatal(err)
	}
	return secret
}

func (w *world) store(name string) secretmigrate.Store {
	if name == sm {
		return w.sm
	}
	return w.env
}

func (w *world) migrate(to, live string, dry bool) (secretmigrate.Report, string, error) {
	from := sm
	if to == sm {
		from = env
	}
	var out bytes.Buffer
	rep, err := secretmigrate.Migration{
		From: w.store(from), To: w.store(to), ToName: to, Live: live,
		Webhooks: w.hooks.SecretMarkers(), DryRun: dry, Out: &out,
	}.Run(context.Background())
	return rep, out.String(), err
}

func (w *world) record(s secretmigrate.Store, id string) (secrets.Record, error) {
	return s.Record(context.Background(), "org_a", id)
}

// requireBoth fails unless both stores hold the same record for id.
func (w *world) requireBoth(id string) secrets.Record {
	w.t.Helper()
	a, errA := w.record(w.sm, id)
	b, errB := w.record(w.env, id)
	if errA != nil || errB != nil || a.Current != b.Current || a.Previous != b.Previous || !a.PreviousExpiresAt.Equal(b.PreviousExpiresAt) {
		w.t.Fatalf("%s: Secrets Manager %v / envelope %v: want the same record in both", id, errA, errB)
	}
	return a
}

func TestMigrateToEnvelopeAndBack(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	first := w.create("wh_1", w.sm)
	w.create("wh_2", w.sm)
	if _, err := w.sm.Rotate(ctx, "org_a", "wh_2", secrets.NewRotation(secretstest.Generate(t), time.Hour)); err != nil {
		t.Fatal(err)
	}

	// A dry run reads, prints, and changes nothing.
	w.smFake.Requests()
	rep, out, err := w.migrate(env, toEnv, true)
	if err != nil || rep.Webhooks != 2 || rep.Copied != 2 || rep.Marked != 2 || rep.Removed != 0 {
		t.Fatalf("dry run: %+v, %v", rep, err)
	}
	if !strings.Contains(out, "org_a/wh_1: would copy the secrets to envelope") || !strings.Contains(out, "would switch the item") {
		t.Errorf("dry run printed:\n%s", out)
	}
	for _, r := range w.smFake.Requests() {
		if r.Target != "secretsmanager.GetSecretValue" {
			t.Errorf("dry run called %s", r.Target)
		}
	}
	if _, err := w.record(w.env, "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("dry run wrote the envelope: %v", err)
	}

	// While the stack moves (writes to both) the copy is kept in sync and
	// Secrets Manager keeps every secret.
	if rep, _, err := w.migrate(env, toEnv, false); err != nil || rep.Copied != 2 || rep.Marked != 2 || rep.Removed != 0 {
		t.Fatalf("copy: %+v, %v", rep, err)
	}
	w.requireBoth("wh_1")
	w.requireBoth("wh_2")
	if rep, _, err := w.migrate(env, toEnv, false); err != nil || rep.Unchanged != 2 {
		t.Fatalf("rerun: %+v, %v; want both unchanged", rep, err)
	}
	// A rotation the bridge did not see (written to Secrets Manager alone)
	// reaches the copy on the next run.
	next := secretstest.Generate(t)
	if _, err := w.sm.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(next, time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The stack now runs on envelope: the rotation is copied, the old
	// form goes, and the envelope signs with both secrets.
	if rep, _, err := w.migrate(env, env, false); err != nil || rep.Copied != 1 || rep.Removed != 2 {
		t.Fatalf("finish: %+v, %v", rep, err)
	}
	secretstest.AssertActive(t, w.env, "org_a", "wh_1", time.Now(), next, first)
	for _, id := range []string{"wh_1", "wh_2"} {
		if _, err := w.record(w.sm, id); !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("%s: Secrets Manager still serves it: %v", id, err)
		}
	}
	if rep, _, err := w.migrate(env, env, false); err != nil || rep.Unchanged != 2 {
		t.Fatalf("rerun after finishing: %+v, %v", rep, err)
	}

	// And back, within Secrets Manager's recovery window: the scheduled
	// secrets are restored and hold the envelope's records.
	if rep, _, err := w.migrate(sm, toSM, false); err != nil || rep.Copied != 2 || rep.Removed != 0 {
		t.Fatalf("back, copy: %+v, %v", rep, err)
	}
	w.requireBoth("wh_1")
	if rep, _, err := w.migrate(sm, sm, false); err != nil || rep.Removed != 2 {
		t.Fatalf("back, finish: %+v, %v", rep, err)
	}
	secretstest.AssertActive(t, w.sm, "org_a", "wh_1", time.Now(), next, first)
	if _, err := w.record(w.env, "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("the sealed secrets are still on the item: %v", err)
	}
	if _, err := w.hooks.Get(ctx, "org_a", "wh_1"); err != nil {
		t.Errorf("removing the sealed secrets lost the webhook: %v", err)
	}
}

// A stack on the source alone is refused: what it creates after the copy
// would be left behind at the switch.
func TestMigrateRefusesAStackOnTheSourceAlone(t *testing.T) {
	w := newWorld(t)
	w.create("wh_1", w.sm)
	w.smFake.Requests()
	if _, _, err := w.migrate(env, sm, false); err == nil || !strings.Contains(err.Error(), "migrating-to-envelope") {
		t.Fatalf("err = %v, want the refusal naming migrating-to-envelope", err)
	}
	if reqs := w.smFake.Requests(); len(reqs) != 0 {
		t.Errorf("the refused run called Secrets Manager %d times", len(reqs))
	}
}

// CheckLive accepts the move to the target or the target itself, nothing
// else, so the CLI can refuse before it reads or prints anything.
func TestCheckLive(t *testing.T) {
	for _, c := range []struct {
		live, to string
		ok       bool
	}{
		{"migrating-to-envelope", "envelope", true}, {"envelope", "envelope", true},
		{"secretsmanager", "envelope", false}, {"migrating-to-secretsmanager", "envelope", false}, {"", "envelope", false},
		{"migrating-to-secretsmanager", "secretsmanager", true}, {"secretsmanager", "secretsmanager", true},
		{"envelope", "secretsmanager", false}, {"migrating-to-envelope", "secretsmanager", false},
	} {
		err := secretmigrate.CheckLive(c.live, c.to)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "-c secretStore=migrating-to-"+c.to)) {
			t.Errorf("live %q, to %q: %v, want ok=%v", c.live, c.to, err, c.ok)
		}
	}
}

// A run that dies between copying a webhook and switching it loses
// nothing: every webhook still has its secrets, and a rerun finishes.
func TestMigrateResumesAfterACrash(t *testing.T) {
	w := newWorld(t)
	secretsOf := map[string]string{}
	for _, id := range []string{"wh_1", "wh_2", "wh_3"} {
		secretsOf[id] = w.create(id, w.sm)
	}
	crashAt := "wh_2"
	w.markFault.Store(&crashAt)
	_, out, err := w.migrate(env, toEnv, false)
	if err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("the crashed run returned %v", err)
	}
	// Each line is a step done: the failed switch is not printed, the copy
	// before it is (the last line named the step that
	// failed, as if done).
	if !strings.Contains(out, "org_a/wh_2: copied the secrets to envelope") || strings.Contains(out, "org_a/wh_2: switched") {
		t.Fatalf("the crashed run printed:\n%s", out)
	}
	for id, secret := range secretsOf {
		secretstest.AssertActive(t, w.sm, "org_a", id, time.Now(), secret)
	}
	w.markFault.Store(nil)
	if rep, _, err := w.migrate(env, toEnv, false); err != nil || rep.Marked < 2 {
		t.Fatalf("rerun: %+v, %v", rep, err)
	}
	// The stack switched; the removal of one old form fails, then a rerun
	// removes it.
	w.smFake.Fail("InternalServiceError", "secretsmanager.DeleteSecret")
	if _, _, err := w.migrate(env, env, false); err == nil {
		t.Fatal("a failed removal was not reported")
	}
	w.smFake.Fail("", "")
	if _, _, err := w.migrate(env, env, false); err != nil {
		t.Fatal(err)
	}
	for id, secret := range secretsOf {
		secretstest.AssertActive(t, w.env, "org_a", id, time.Now(), secret)
		if _, err := w.record(w.sm, id); !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("%s: old form left: %v", id, err)
		}
	}
}

// The README's cleanup run (the stack on the target alone) keeps the
// target's record of a webhook the copy run never marked: created through
// the Bridge after the copy, then rotated twice on the target alone, its
// two records are unrelated and the target's is the tenant's.
func TestMigrateCleanupKeepsTargetRotationsOfAnUnmarkedWebhook(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.create("wh_0", w.sm)
	if _, _, err := w.migrate(env, toEnv, false); err != nil {
		t.Fatal(err)
	}
	first := w.create("wh_1", secretmigrate.Bridge{Target: w.env, Source: w.sm}) // after the copy run, before the switch
	b, c := secretstest.Generate(t), secretstest.Generate(t)
	for _, next := range []string{b, c} { // the stack now runs envelope alone
		if _, err := w.env.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(next, time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if rep, out, err := w.migrate(env, env, false); err != nil || rep.Copied != 0 || rep.Marked != 1 || rep.Removed != 2 {
		t.Fatalf("cleanup: %+v, %v\n%s", rep, err, out)
	}
	r, err := w.record(w.env, "wh_1")
	if err != nil || r.Current != c || r.Previous != b {
		t.Fatalf("after the cleanup: %v; current is the tenant's %v (the stale first one %v), previous the one before %v",
			err, r.Current == c, r.Current == first, r.Previous == b)
	}
	if _, err := w.record(w.sm, "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("the old form is left: %v", err)
	}
}
