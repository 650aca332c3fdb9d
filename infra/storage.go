package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/hookrelay/hookrelay/shared/dynamo"
)

// addTable creates the single table; key and TTL names come from
// shared/dynamo so the schema cannot drift from the adapters.
func (h *hookrelay) addTable() {
	h.table = awsdynamodb.NewTable(h.stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(dynamo.AttrPK), Type: awsdynamodb.AttributeType_STRING},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String(dynamo.AttrSK), Type: awsdynamodb.AttributeType_STRING},
		// On-demand: traffic is bursty (fan-out) and idle most of the time.
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(dynamo.AttrTTL),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		// AWS-managed KMS key: encrypted at rest, key usage auditable in
		// CloudTrail, no customer key to pay for or lose.
		Encryption:    awsdynamodb.TableEncryption_AWS_MANAGED,
		RemovalPolicy: h.removal,
		// A retained table is also protected against accidental deletes
		// outside CloudFormation; "destroy" means the operator wants it gone.
		DeletionProtection: jsii.Bool(h.settings.RemovalPolicy == "retain"),
	})
}
