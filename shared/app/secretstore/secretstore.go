// Package secretstore picks, at cold start, the secrets.Store the api and
// deliver functions run with (config.SecretStore): Secrets Manager, one
// secret per webhook, or the envelope store over KMS and the webhook items.
package secretstore

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/awssecrets"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/secrets"
)

// New builds the configured store from the function's SDK config.
func New(cfg config.Config, awsCfg aws.Config, db *dynamodb.Client) (secrets.Store, error) {
	switch cfg.SecretStore {
	case config.SecretStoreSecretsManager:
		return awssecrets.New(secretsmanager.NewFromConfig(awsCfg), cfg.SecretPrefix), nil
	case config.SecretStoreEnvelope:
		return Envelope(cfg, kms.NewFromConfig(awsCfg), db)
	}
	return nil, config.CheckSecretStore(cfg.SecretStore)
}

// Envelope is the envelope store over api (the Lambda's client, or one on
// local-kms in `hookrelay dev`).
func Envelope(cfg config.Config, api *kms.Client, db *dynamodb.Client) (secrets.Store, error) {
	if cfg.SecretKeyID == "" {
		return nil, fmt.Errorf("%s=%s needs %s (the stack sets it)", config.EnvSecretStore, config.SecretStoreEnvelope, config.EnvSecretKey)
	}
	return envelope.New(awskms.New(api, cfg.SecretKeyID), dynamo.NewSealedItems(db, cfg.Table)), nil
}
