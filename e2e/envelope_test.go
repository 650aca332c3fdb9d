package e2e

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/verify"
)

// With secretStore=envelope the local stack delivers signatures the
// official verifier accepts, a rotation signs with the new secret and the
// old one during grace, and neither the sealed secrets nor their data key
// appear in an API response, the log or a queue message.
func TestEnvelopeSecretStore(t *testing.T) {
	env := testEnv()
	env[config.EnvSecretStore] = config.SecretStoreEnvelope
	s := startTestStack(t, devrun.Options{Env: env})
	if s.State.SecretStore != config.SecretStoreEnvelope || s.State.KMSEndpoint == "" {
		t.Fatalf("stack state: store %q, KMS %q; want envelope on local-kms", s.State.SecretStore, s.State.KMSEndpoint)
	}
	tn := newTenant(t, s, "envelope")
	rc := newReceiver(t, sequence(status(http.StatusOK)))
	hook := tn.createWebhook(rc.url("/hook"), "*")

	tn.publish("emailClick", clickData)
	first := rc.waitHits(t, 1, patience)[0]
	if err := verify.Verify(hook.SigningSecret, first.header, first.body, "Hookrelay", time.Now()); err != nil {
		t.Fatalf("the official verifier rejects an envelope-mode delivery: %v", err)
	}

	var rotated struct {
		SigningSecret string `json:"signing_secret"`
	}
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+hook.ID+"/rotate-secret", nil, http.StatusOK, &rotated)
	createdSecrets.add(rotated.SigningSecret)
	// Delivery sees the rotation at its next read of the webhook (its
	// cache holds one 10 s): publish until a delivery carries the new
	// secret's signature, then it must carry the old one's too. Past the
	// cache's expiry, the delivery in flight and the next one may each take
	// up to patience on a loaded machine.
	var signedNew *hit
	testenv.WaitFor(t, delivery.DefaultWebhookCacheTTL+2*patience, "a delivery signed with the rotated secret", func() bool {
		n := rc.count()
		tn.publish("emailClick", clickData)
		for _, h := range rc.waitHits(t, n+1, patience)[n:] {
			if verify.Verify(rotated.SigningSecret, h.header, h.body, "Hookrelay", time.Now()) == nil {
				signedNew = &h
				return true
			}
		}
		return false
	})
	if err := verify.Verify(hook.SigningSecret, signedNew.header, signedNew.body, "Hookrelay", time.Now()); err != nil {
		t.Fatalf("during grace the delivery lacks the old secret's signature: %v", err)
	}

	sealed := sealedForms(t, s, tn.org, hook.ID)
	_, got := tn.call(http.MethodGet, "/api/v1/organization/webhooks/"+hook.ID, nil)
	_, list := tn.call(http.MethodGet, "/api/v1/organization/webhooks", nil)
	channels := map[string][]string{
		"the webhook's GET response": {string(got)}, "the webhook list": {string(list)},
		"the stack log": {s.logs.String()}, "messages the handlers received": s.tap.all(),
	}
	for form, needle := range sealed {
		for channel, texts := range channels {
			for _, text := range texts {
				if strings.Contains(text, needle) {
					t.Errorf("%s appears in %s", form, channel)
				}
			}
		}
	}

	// The delete takes the sealed secrets with the item; a retried delete
	// finds nothing (404), as with Secrets Manager.
	tn.mustCall(http.MethodDelete, "/api/v1/organization/webhooks/"+hook.ID, nil, http.StatusNoContent, nil)
	if item := webhookItem(t, s, tn.org, hook.ID); item != nil {
		t.Errorf("the deleted webhook's item is still there (attributes %s)", slicesOf(item))
	}
	tn.mustCall(http.MethodDelete, "/api/v1/organization/webhooks/"+hook.ID, nil, http.StatusNotFound, nil)
}

func webhookItem(t *testing.T, s *stack, org, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := s.Dynamo.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.State.Table), ConsistentRead: aws.Bool(true),
		Key: dynamo.WebhookKey(org, id),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// sealedForms reads the webhook's sealed attributes and decrypts its data
// key through local-kms, and returns them in every encoding a leak could
// take (raw, base64, hex).
func sealedForms(t *testing.T, s *stack, org, id string) map[string]string {
	t.Helper()
	ctx := context.Background()
	item := webhookItem(t, s, org, id)
	key, _ := item[dynamo.AttrSealedKey].(*types.AttributeValueMemberB)
	box, _ := item[dynamo.AttrSealedBox].(*types.AttributeValueMemberB)
	if key == nil || box == nil {
		t.Fatalf("the webhook item has no sealed secrets (attributes %v)", slicesOf(item))
	}
	api := kms.NewFromConfig(testenv.AWSConfig(t), func(o *kms.Options) { o.BaseEndpoint = aws.String(s.State.KMSEndpoint) })
	plain, err := api.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: key.Value, EncryptionContext: map[string]string{"org": org, "webhook": id}})
	if err != nil {
		t.Fatalf("decrypt the webhook's data key: %v", err)
	}
	forms := map[string]string{}
	for name, b := range map[string][]byte{"the encrypted data key": key.Value, "the sealed secrets": box.Value, "the data key": plain.Plaintext} {
		maps.Copy(forms, map[string]string{
			name + " (raw)":    string(b),
			name + " (base64)": strings.TrimRight(base64.StdEncoding.EncodeToString(b), "="),
			name + " (hex)":    hex.EncodeToString(b),
		})
	}
	return forms
}

func slicesOf(m map[string]types.AttributeValue) string {
	return fmt.Sprint(slices.Sorted(maps.Keys(m)))
}
