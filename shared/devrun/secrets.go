package devrun

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/hookrelay/hookrelay/shared/app/secretstore"
	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devsecrets"
	"github.com/hookrelay/hookrelay/shared/emulator"
	"github.com/hookrelay/hookrelay/shared/secrets"
)

// devKeyAlias names the local envelope key; local-kms keeps it (and so
// every sealed secret stays readable) across restarts in DataDir/kms.
const devKeyAlias = "alias/hookrelay-dev"

// startKMS runs local-kms when the envelope store is selected
// (HOOKRELAY_SECRET_STORE=envelope), and nothing otherwise.
func (s *Stack) startKMS(ctx context.Context, cfg config.Config) (*emulator.Process, error) {
	switch cfg.SecretStore {
	case config.SecretStoreSecretsManager:
		return nil, nil
	case config.SecretStoreEnvelope:
	default: // the moves need both stores' record access; dev's file store has none
		return nil, fmt.Errorf("%s=%s: make dev runs %s or %s", config.EnvSecretStore, cfg.SecretStore, config.SecretStoreSecretsManager, config.SecretStoreEnvelope)
	}
	logTo, err := s.logFile(logName(emulator.KMSName))
	if err != nil {
		return nil, err
	}
	p, err := emulator.StartKMS(ctx, emulator.Options{DataDir: filepath.Join(s.DataDir, "kms"), Log: logTo})
	if err != nil {
		return nil, err
	}
	s.onStop(p.Stop)
	return p, nil
}

// secretStore is the store the handlers run with: a 0600 file (Secrets
// Manager has no emulator), or the envelope store on local-kms and the
// table, built by the same wiring as the Lambdas'.
func (s *Stack) secretStore(ctx context.Context, cfg *config.Config, kmsProc *emulator.Process) (secrets.Store, error) {
	if kmsProc == nil {
		return devsecrets.NewLocal(filepath.Join(s.DataDir, "secrets"))
	}
	awsCfg, err := awsclient.Local(ctx, emulator.Region)
	if err != nil {
		return nil, err
	}
	api := kms.NewFromConfig(awsCfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(kmsProc.Endpoint) })
	if cfg.SecretKeyID == "" {
		if cfg.SecretKeyID, err = awskms.EnsureAlias(ctx, api, devKeyAlias); err != nil {
			return nil, fmt.Errorf("local KMS key: %w", err)
		}
	}
	return secretstore.Envelope(*cfg, api, s.Dynamo)
}
