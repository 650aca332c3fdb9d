package main

import (
	"testing"

	"github.com/hookrelay/hookrelay/shared/dynamo"
)

func TestTable(t *testing.T) {
	s := defaultStack(t)
	s.template.HasResourceProperties(str("AWS::DynamoDB::Table"), obj(map[string]interface{}{
		"KeySchema": []interface{}{
			map[string]interface{}{"AttributeName": dynamo.AttrPK, "KeyType": "HASH"},
			map[string]interface{}{"AttributeName": dynamo.AttrSK, "KeyType": "RANGE"},
		},
		"AttributeDefinitions": arr(
			map[string]interface{}{"AttributeName": dynamo.AttrPK, "AttributeType": "S"},
			map[string]interface{}{"AttributeName": dynamo.AttrSK, "AttributeType": "S"},
		),
		"BillingMode":                      "PAY_PER_REQUEST",
		"PointInTimeRecoverySpecification": map[string]interface{}{"PointInTimeRecoveryEnabled": true},
		"TimeToLiveSpecification":          map[string]interface{}{"AttributeName": dynamo.AttrTTL, "Enabled": true},
		"SSESpecification":                 map[string]interface{}{"SSEEnabled": true},
		"DeletionProtectionEnabled":        true,
	}))
	s.template.HasResource(str("AWS::DynamoDB::Table"), obj(map[string]interface{}{
		"DeletionPolicy":      "Retain",
		"UpdateReplacePolicy": "Retain",
	}))
}

// removalPolicy=destroy tears every stateful resource down with the stack
// (but the secrets key, which needs secretStore=envelope: secretskey_test.go).
func TestRemovalPolicyDestroy(t *testing.T) {
	s := synth(t, map[string]interface{}{CtxRemovalPolicy: "destroy"})
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::Logs::LogGroup", "AWS::KMS::Key"} {
		for id, r := range s.resources {
			if r["Type"] == typ && r["DeletionPolicy"] != "Delete" {
				t.Errorf("%s %s: DeletionPolicy = %v, want Delete", typ, id, r["DeletionPolicy"])
			}
		}
	}
	s.template.HasResourceProperties(str("AWS::DynamoDB::Table"), obj(map[string]interface{}{
		"DeletionProtectionEnabled": false,
	}))
}

func TestRetainPolicyKeepsStatefulResources(t *testing.T) {
	s := defaultStack(t)
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::Logs::LogGroup", "AWS::KMS::Key"} {
		for id, r := range s.resources {
			if r["Type"] == typ && r["DeletionPolicy"] != "Retain" {
				t.Errorf("%s %s: DeletionPolicy = %v, want Retain", typ, id, r["DeletionPolicy"])
			}
		}
	}
}
