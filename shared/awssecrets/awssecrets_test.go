package awssecrets

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestAWSContract(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	secretstest.Contract(t, newStoreForTest(t, f, ""))
}

func TestAWSCreateRequest(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	s := newStoreForTest(t, f, "")
	secret := secretstest.Generate(t)
	if err := s.Create(context.Background(), "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Target != "secretsmanager.CreateSecret" {
		t.Fatalf("requests = %+v, want one CreateSecret", reqs)
	}
	body := reqs[0].Body
	if body["Name"] != "hookrelay/webhooks/org_a/wh_1" {
		t.Errorf("Name = %v", body["Name"])
	}
	tags := map[string]string{}
	for _, tag := range body["Tags"].([]any) {
		kv := tag.(map[string]any)
		tags[kv["Key"].(string)] = kv["Value"].(string)
	}
	want := map[string]string{"hookrelay:organization_id": "org_a", "hookrelay:webhook_id": "wh_1"}
	if !maps.Equal(tags, want) {
		t.Errorf("Tags = %v, want %v", tags, want)
	}
	doc := decodeSecretString(t, body["SecretString"].(string))
	if !maps.Equal(doc, map[string]string{"current": secret}) {
		t.Errorf("SecretString has fields %v, want only current", maps.Keys(doc))
	}
}

func TestAWSRotateRequests(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	s := newStoreForTest(t, f, "acme/hooks/") // slashes at the ends are trimmed
	s.now = func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 500, time.UTC) }
	ctx := context.Background()
	old, next := secretstest.Generate(t), secretstest.Generate(t)
	if err := s.Create(ctx, "org_a", "wh_1", old); err != nil {
		t.Fatal(err)
	}
	f.Requests()
	rot := secrets.NewRotation(next, time.Hour)
	if _, err := s.Rotate(ctx, "org_a", "wh_1", rot); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if len(reqs) != 2 || reqs[0].Target != "secretsmanager.GetSecretValue" || reqs[1].Target != "secretsmanager.PutSecretValue" {
		t.Fatalf("requests = %+v, want GetSecretValue then PutSecretValue", reqs)
	}
	for _, r := range reqs {
		if r.Body["SecretId"] != "acme/hooks/org_a/wh_1" {
			t.Errorf("%s SecretId = %v", r.Target, r.Body["SecretId"])
		}
	}
	doc := decodeSecretString(t, reqs[1].Body["SecretString"].(string))
	want := map[string]string{"current": next, "previous": old, "previous_expires_at": "2026-11-23T11:00:00Z", "rotation": rot.ID}
	if !maps.Equal(doc, want) {
		t.Errorf("new version document differs (keys %v)", maps.Keys(doc))
	}
}

func TestAWSScheduleDeletionRequest(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	s := newStoreForTest(t, f, "")
	ctx := context.Background()
	if err := s.Create(ctx, "org_a", "wh_1", secretstest.Generate(t)); err != nil {
		t.Fatal(err)
	}
	f.Requests()
	if err := s.ScheduleDeletion(ctx, "org_a", "wh_1"); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Target != "secretsmanager.DeleteSecret" {
		t.Fatalf("requests = %+v, want one DeleteSecret", reqs)
	}
	body := reqs[0].Body
	if body["SecretId"] != "hookrelay/webhooks/org_a/wh_1" || body["RecoveryWindowInDays"] != float64(7) {
		t.Errorf("DeleteSecret body = %v", body)
	}
	if _, ok := body["ForceDeleteWithoutRecovery"]; ok {
		t.Error("DeleteSecret must keep the recovery window")
	}
	// Creating the same name while it is pending deletion is a conflict.
	if err := s.Create(ctx, "org_a", "wh_1", secretstest.Generate(t)); !errors.Is(err, secrets.ErrExists) {
		t.Errorf("Create over a secret pending deletion: err = %v, want ErrExists", err)
	}
}

func TestAWSActiveDropsExpiredPrevious(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	s := newStoreForTest(t, f, "")
	cur, prev := secretstest.Generate(t), secretstest.Generate(t)
	f.Put("hookrelay/webhooks/org_a/wh_1", `{"current":"`+cur+`","previous":"`+prev+`","previous_expires_at":"2026-11-23T11:00:00Z"}`)
	secretstest.AssertActive(t, s, "org_a", "wh_1", time.Date(2026, 11, 23, 10, 59, 59, 0, time.UTC), cur, prev)
	secretstest.AssertActive(t, s, "org_a", "wh_1", time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC), cur)
}

func TestAWSErrorsNeverContainSecrets(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	s := newStoreForTest(t, f, "")
	ctx := context.Background()
	old, next := secretstest.Generate(t), secretstest.Generate(t)
	if err := s.Create(ctx, "org_a", "wh_1", old); err != nil {
		t.Fatal(err)
	}

	// The fake rejects every call and echoes the request body, secret included.
	f.Fail("ValidationException", "")
	err := s.Create(ctx, "org_a", "wh_2", next)
	if err == nil || hasValue(err, next) {
		t.Fatalf("Create error leaks the secret or is nil: %v", err != nil)
	}
	if !hasValue(err, "[redacted]") || !hasValue(err, "hookrelay/webhooks/org_a/wh_2") {
		t.Errorf("Create error should name the secret and mark the redaction: %q", err)
	}
	if errors.Is(err, secrets.ErrExists) || errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("a validation failure mapped to a sentinel: %v", err)
	}

	// Rotate: GetSecretValue succeeds, PutSecretValue echoes old and new.
	f.Fail("ValidationException", "secretsmanager.PutSecretValue")
	_, err = s.Rotate(ctx, "org_a", "wh_1", secrets.NewRotation(next, time.Hour))
	if err == nil || hasValue(err, next) || hasValue(err, old) {
		t.Fatalf("Rotate error leaks a secret or is nil")
	}

	// A stored value that is not our document: the error must not quote it.
	f.Fail("", "")
	f.Put("hookrelay/webhooks/org_a/wh_3", "plain "+next)
	_, err = secretstest.Active(ctx, s, "org_a", "wh_3", time.Now())
	if err == nil || hasValue(err, next) {
		t.Fatalf("Active on a foreign value: err leaks or is nil")
	}
}

func TestAWSMapsServiceErrors(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	s := newStoreForTest(t, f, "")
	ctx := context.Background()
	f.Fail("ResourceNotFoundException", "")
	if _, err := secretstest.Active(ctx, s, "org_a", "wh_1", time.Now()); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("ResourceNotFoundException: err = %v, want ErrNotFound", err)
	}
	f.Fail("ResourceExistsException", "")
	if err := s.Create(ctx, "org_a", "wh_1", secretstest.Generate(t)); !errors.Is(err, secrets.ErrExists) {
		t.Errorf("ResourceExistsException: err = %v, want ErrExists", err)
	}
	f.Fail("InvalidRequestException", "") // echo message without "deletion"
	if _, err := secretstest.Active(ctx, s, "org_a", "wh_1", time.Now()); err == nil || errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("unrelated InvalidRequestException: err = %v, want a plain error", err)
	}
}

// A read is the deliver path's only secret-store call on a cold cache, and
// Secrets Manager bills per call: exactly one GetSecretValue of the
// webhook's secret, whatever else changes in the adapter.
func TestAWSRecordRequest(t *testing.T) {
	f := testenv.NewSecretsManager(t)
	s := newStoreForTest(t, f, "")
	ctx := context.Background()
	secret := secretstest.Generate(t)
	if err := s.Create(ctx, "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	f.Requests()
	r, err := s.Record(ctx, "org_a", "wh_1")
	if err != nil || r.Current != secret {
		t.Fatalf("Record: current matches %v, err %v", r.Current == secret, err)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Target != "secretsmanager.GetSecretValue" || reqs[0].Body["SecretId"] != "hookrelay/webhooks/org_a/wh_1" {
		t.Fatalf("requests = %+v, want one GetSecretValue of hookrelay/webhooks/org_a/wh_1", reqs)
	}
}
