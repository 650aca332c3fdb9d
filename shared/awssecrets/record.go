package awssecrets

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// Record returns the webhook's whole record; secrets.ErrNotFound when there
// is no secret, or one scheduled for deletion.
func (a *Store) Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error) {
	if err := secrets.CheckIDs(orgID, webhookID); err != nil {
		return secrets.Record{}, err
	}
	return a.get(ctx, orgID, webhookID)
}

// PutRecord makes the webhook's secret hold r: a new version of an
// existing secret, a restored one if it was scheduled for deletion (its
// name stays taken until then: a migration back within the recovery
// window), or a new secret.
func (a *Store) PutRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	value, err := checkedValue(orgID, webhookID, r)
	if err != nil {
		return err
	}
	name := aws.String(a.Name(orgID, webhookID))
	put := func() error { return a.putValue(ctx, name, value) }
	err = put()
	var notFound *types.ResourceNotFoundException
	var invalid *types.InvalidRequestException
	switch {
	case errors.As(err, &notFound):
		_, err = a.api.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: name, Description: aws.String("hookrelay signing secret for webhook " + webhookID),
			SecretString: aws.String(value), Tags: tags(orgID, webhookID),
		})
	case errors.As(err, &invalid) && strings.Contains(strings.ToLower(invalid.ErrorMessage()), "deletion"):
		if _, err = a.api.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: name}); err == nil {
			err = put()
		}
	}
	return a.wrap("write", orgID, webhookID, err, r.Current, r.Previous)
}

// ReplaceRecord writes r as a new version of the webhook's secret; unlike
// PutRecord it neither creates nor restores one: secrets.ErrNotFound when
// there is none or it is scheduled for deletion (a deleted webhook's).
func (a *Store) ReplaceRecord(ctx context.Context, orgID, webhookID string, r secrets.Record) error {
	value, err := checkedValue(orgID, webhookID, r)
	if err != nil {
		return err
	}
	err = a.putValue(ctx, aws.String(a.Name(orgID, webhookID)), value)
	return a.wrap("write", orgID, webhookID, err, r.Current, r.Previous)
}

// SwapRecord is ReplaceRecord while the secret's record is the one named
// from (secrets.ErrConflict otherwise). Check-then-write (Secrets
// Manager's staging-label compare-and-swap is not used): the check is a
// read just before a plain write, so a write landing between the two (one
// round trip) is still overwritten.
func (a *Store) SwapRecord(ctx context.Context, orgID, webhookID, from string, r secrets.Record) error {
	value, err := checkedValue(orgID, webhookID, r)
	if err != nil {
		return err
	}
	cur, err := a.get(ctx, orgID, webhookID)
	switch {
	case err != nil:
		return err
	case cur.Rotation != from:
		return a.wrap("write", orgID, webhookID, secrets.ErrConflict)
	}
	err = a.putValue(ctx, aws.String(a.Name(orgID, webhookID)), value)
	return a.wrap("write", orgID, webhookID, err, r.Current, r.Previous)
}

func (a *Store) putValue(ctx context.Context, name *string, value string) error {
	_, err := a.api.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: name, SecretString: aws.String(value)})
	return err
}

// checkedValue is the SecretString of r, once the write is checked.
func checkedValue(orgID, webhookID string, r secrets.Record) (string, error) {
	if err := secrets.CheckWrite(orgID, webhookID, r.Current); err != nil {
		return "", err
	}
	return encodeRecord(r)
}
