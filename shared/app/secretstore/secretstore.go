// Package secretstore picks, at cold start, the secrets.Store the api and
// deliver functions run with (config.SecretStore): Secrets Manager, one
// secret per webhook, or the envelope store over KMS and the webhook items,
// or during a move between them a bridge over both.
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
	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/secrets"
)

// New builds the configured store from the function's SDK config: while
// migrating, a bridge over both.
func New(cfg config.Config, awsCfg aws.Config, db *dynamodb.Client) (secrets.Store, error) {
	if err := config.CheckSecretStore(cfg.SecretStore); err != nil {
		return nil, err
	}
	build := func(name string) (secretmigrate.RecordStore, error) {
		if name == config.SecretStoreEnvelope {
			return Envelope(cfg, kms.NewFromConfig(awsCfg), db)
		}
		return awssecrets.New(secretsmanager.NewFromConfig(awsCfg), cfg.SecretPrefix), nil
	}
	targetName, sourceName := config.SecretStores(cfg.SecretStore)
	target, err := build(targetName)
	if err != nil || sourceName == "" {
		return target, err
	}
	source, err := build(sourceName)
	if err != nil {
		return nil, err
	}
	return secretmigrate.Bridge{Target: target, Source: source}, nil
}

// Envelope is the envelope store over api (the Lambda's client, or one on
// local-kms in `hookrelay dev`).
func Envelope(cfg config.Config, api *kms.Client, db *dynamodb.Client) (*envelope.Store, error) {
	if cfg.SecretKeyID == "" {
		return nil, fmt.Errorf("%s=%s needs %s (the stack sets it)", config.EnvSecretStore, cfg.SecretStore, config.EnvSecretKey)
	}
	return envelope.New(awskms.New(api, cfg.SecretKeyID), dynamo.NewSealedItems(db, cfg.Table)), nil
}
