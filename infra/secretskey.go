package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/config"
)

// addSecretsKey creates the envelope secret store's KMS key (with
// secretStore=envelope, and while migrating to or from it: the same
// construct, so the key stays the same across those deploys). A key of its own rather than the alarm topic's:
// that key's policy lets CloudWatch generate data keys with any context,
// and a key used for nothing but webhook secrets keeps its CloudTrail
// record and its grants (only with the {org, webhook} context, see
// shared/permissions) about those secrets alone. Yearly rotation is
// automatic and transparent: KMS keeps old key material for decryption.
// It is retained whatever the stack's removalPolicy: the move back from
// envelope removes the key from the stack, and a deleted key (CloudFormation
// schedules its deletion, and a key pending deletion decrypts nothing) would
// fail the README's last `secrets migrate --to secretsmanager --kms-key` run,
// which reads the sealed records to remove them. The README says how to
// delete it once no item is sealed with it.
func (h *hookrelay) addSecretsKey() {
	if !config.UsesKMS(h.settings.SecretStore) {
		return
	}
	h.secretsKey = awskms.NewKey(h.stack, jsii.String("SecretsKey"), &awskms.KeyProps{
		Description:       jsii.String("hookrelay webhook signing secrets (envelope store data keys)"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
}
