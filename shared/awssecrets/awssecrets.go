// Package awssecrets is the AWS Secrets Manager adapter of secrets.Store.
package awssecrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/secrets"
)

// Tag keys on every webhook secret, so operators and IAM conditions can
// find a tenant's secrets without parsing names.
const (
	TagOrganization = "hookrelay:organization_id"
	TagWebhook      = "hookrelay:webhook_id"
)

// RecoveryWindowDays is how long a deleted webhook's secret can still be
// restored by an operator (the AWS minimum is 7).
const RecoveryWindowDays = 7

// Store keeps one Secrets Manager secret per webhook, named
// "<prefix>/<org>/<webhook_id>", whose SecretString is the JSON record
// {"current","previous","previous_expires_at"}. Holding both secrets in one
// value makes Active a single GetSecretValue call.
type Store struct {
	api    *secretsmanager.Client
	prefix string
	now    func() time.Time // tests pin the rotation time
}

var _ secrets.Store = (*Store)(nil)

// New uses prefix for secret names; "" means the configured default.
func New(api *secretsmanager.Client, prefix string) *Store {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		prefix = config.Defaults().SecretPrefix
	}
	return &Store{api: api, prefix: prefix, now: time.Now}
}

// Name is the secret name of a webhook (exported for operators' tooling and
// the infra IAM policy, which grants "<prefix>/*").
func (a *Store) Name(orgID, webhookID string) string {
	return a.prefix + "/" + orgID + "/" + webhookID
}

// Create stores the first secret. The name is deterministic, so a retried
// create after a timeout surfaces as ErrExists rather than a duplicate.
func (a *Store) Create(ctx context.Context, orgID, webhookID, secret string) error {
	if err := secrets.CheckWrite(orgID, webhookID, secret); err != nil {
		return err
	}
	value, err := encodeRecord(secrets.Record{Current: secret})
	if err != nil {
		return err
	}
	_, err = a.api.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         aws.String(a.Name(orgID, webhookID)),
		Description:  aws.String("hookrelay signing secret for webhook " + webhookID),
		SecretString: aws.String(value),
		Tags:         tags(orgID, webhookID),
	})
	return a.wrap("create", orgID, webhookID, err, secret)
}

func tags(orgID, webhookID string) []types.Tag {
	return []types.Tag{
		{Key: aws.String(TagOrganization), Value: aws.String(orgID)},
		{Key: aws.String(TagWebhook), Value: aws.String(webhookID)},
	}
}

// Rotate reads the record and writes a new version with newSecret current.
// The write is not conditional on the version read (Secrets Manager's
// compare-and-swap, UpdateSecretVersionStage with RemoveFromVersionId, is
// not used here), so two concurrent rotations of one webhook are
// last-writer-wins; both callers got a valid secret back,
// and only the loser's is not kept, which a tenant fixes by rotating again.
func (a *Store) Rotate(ctx context.Context, orgID, webhookID string, rot secrets.Rotation) (secrets.Record, error) {
	if err := secrets.CheckWrite(orgID, webhookID, rot.Secret); err != nil {
		return secrets.Record{}, err
	}
	r, err := a.get(ctx, orgID, webhookID)
	if err != nil || rot.Made(r) { // made already: a retry writes nothing more
		return secrets.Record{}, err
	}
	value, err := encodeRecord(r.Rotated(rot, a.now()))
	if err != nil {
		return secrets.Record{}, err
	}
	_, err = a.api.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:     aws.String(a.Name(orgID, webhookID)),
		SecretString: aws.String(value),
	})
	return r, a.wrap("rotate", orgID, webhookID, err, rot.Secret, r.Current)
}

// ScheduleDeletion deletes with a recovery window rather than at once, so
// an operator can undo a mistaken delete (or a spurious 410) for a week.
func (a *Store) ScheduleDeletion(ctx context.Context, orgID, webhookID string) error {
	if err := secrets.CheckIDs(orgID, webhookID); err != nil {
		return err
	}
	_, err := a.api.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{
		SecretId:             aws.String(a.Name(orgID, webhookID)),
		RecoveryWindowInDays: aws.Int64(RecoveryWindowDays),
	})
	return a.wrap("delete", orgID, webhookID, err)
}

func (a *Store) get(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	out, err := a.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(a.Name(orgID, webhookID)),
	})
	if err != nil {
		return secrets.Record{}, a.wrap("read", orgID, webhookID, err)
	}
	var r secrets.Record
	// The JSON error is dropped on purpose: it may quote the value.
	if out.SecretString == nil || json.Unmarshal([]byte(*out.SecretString), &r) != nil || r.Current == "" {
		return secrets.Record{}, fmt.Errorf("secrets: %s is not a hookrelay secret document", a.Name(orgID, webhookID))
	}
	return r, nil
}

func encodeRecord(r secrets.Record) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", errors.New("secrets: encode secret document")
	}
	return string(b), nil
}

// wrap maps service errors to the package's sentinels and names the secret
// in the message. Any value in values is redacted from the text in case
// the service (or a proxy) echoes the request.
func (a *Store) wrap(op, orgID, webhookID string, err error, values ...string) error {
	if err == nil {
		return nil
	}
	var (
		notFound *types.ResourceNotFoundException
		exists   *types.ResourceExistsException
		invalid  *types.InvalidRequestException
		sentinel error
	)
	switch {
	case errors.As(err, &notFound):
		sentinel = secrets.ErrNotFound
	case errors.As(err, &exists):
		sentinel = secrets.ErrExists
	case errors.As(err, &invalid) && strings.Contains(strings.ToLower(invalid.ErrorMessage()), "deletion"):
		// A secret scheduled for deletion answers InvalidRequestException:
		// to readers it is gone, and its name is still taken for creators.
		sentinel = secrets.ErrNotFound
		if op == "create" {
			sentinel = secrets.ErrExists
		}
	}
	if sentinel != nil {
		err = sentinel
	}
	return redact(fmt.Errorf("secrets: %s %s: %w", op, a.Name(orgID, webhookID), err), sentinel, values)
}
