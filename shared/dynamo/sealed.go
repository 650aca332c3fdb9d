package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/envelope"
)

// Attributes of the envelope secret store (secretStore=envelope) on the
// webhook item: the KMS-encrypted data key and the sealed secret record.
// webhookItem does not name them, so no webhook read decodes them into
// anything an API response, a log line or a cache could carry.
const (
	AttrSealedKey = "sealed_data_key"
	AttrSealedBox = "sealed_secrets"
	attrID        = "id"
)

// webhookExists is the condition of every write to an existing webhook.
// Its key alone does not say so: the envelope store writes a new webhook's
// sealed secrets on that key before the webhook, and a create that failed
// after that leaves them there; only a webhook has an id.
const webhookExists = "attribute_exists(#id)"

// SealedItems is envelope.Items on the webhook items.
type SealedItems struct {
	db    *dynamodb.Client
	table string
}

var _ envelope.Items = (*SealedItems)(nil)

// NewSealedItems returns the envelope store's item port over the table.
func NewSealedItems(db *dynamodb.Client, table string) *SealedItems {
	return &SealedItems{db: db, table: table}
}

var sealedNames = map[string]string{"#k": AttrSealedKey, "#b": AttrSealedBox}

func sealedValues(s envelope.Sealed) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		":k": &types.AttributeValueMemberB{Value: s.DataKey},
		":b": &types.AttributeValueMemberB{Value: s.Box},
	}
}

// GetSealed reads both attributes consistently: a reader that saw the
// secret version a rotation bumped must see that rotation's record.
func (s *SealedItems) GetSealed(ctx context.Context, orgID, webhookID string) (envelope.Sealed, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      WebhookKey(orgID, webhookID),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#k, #b"),
		ExpressionAttributeNames: sealedNames,
	})
	if err != nil {
		return envelope.Sealed{}, fmt.Errorf("get sealed secrets: %w", err)
	}
	k, okK := out.Item[AttrSealedKey].(*types.AttributeValueMemberB)
	b, okB := out.Item[AttrSealedBox].(*types.AttributeValueMemberB)
	if !okK || !okB {
		return envelope.Sealed{}, envelope.ErrNoSealed
	}
	return envelope.Sealed{DataKey: k.Value, Box: b.Value}, nil
}

// CreateSealed writes the attributes onto the webhook's key before the
// webhook itself (WebhookStore.Create then adds the webhook's attributes
// and keeps these). Until then the item has no id, and every webhook read
// treats it as absent.
func (s *SealedItems) CreateSealed(ctx context.Context, orgID, webhookID string, sealed envelope.Sealed) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       WebhookKey(orgID, webhookID),
		UpdateExpression:          aws.String("SET #k = :k, #b = :b"),
		ConditionExpression:       aws.String("attribute_not_exists(#b)"),
		ExpressionAttributeNames:  sealedNames,
		ExpressionAttributeValues: sealedValues(sealed),
	})
	return conditionalWrite(err, envelope.ErrSealedExists, "put sealed secrets")
}

// ReplaceSealed writes next only over old's box.
func (s *SealedItems) ReplaceSealed(ctx context.Context, orgID, webhookID string, old, next envelope.Sealed) error {
	values := sealedValues(next)
	values[":old"] = &types.AttributeValueMemberB{Value: old.Box}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       WebhookKey(orgID, webhookID),
		UpdateExpression:          aws.String("SET #k = :k, #b = :b"),
		ConditionExpression:       aws.String("#b = :old"),
		ExpressionAttributeNames:  sealedNames,
		ExpressionAttributeValues: values,
	})
	if !isConditionFailed(err) {
		if err != nil {
			return fmt.Errorf("replace sealed secrets: %w", err)
		}
		return nil
	}
	if _, err := s.GetSealed(ctx, orgID, webhookID); err != nil {
		return err // ErrNoSealed: removed meanwhile
	}
	return envelope.ErrSealedChanged
}

// RemoveSealed deletes an item that holds only sealed secrets (its
// webhook's create failed), or else removes the two attributes.
func (s *SealedItems) RemoveSealed(ctx context.Context, orgID, webhookID string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.table),
		Key:                      WebhookKey(orgID, webhookID),
		ConditionExpression:      aws.String("attribute_exists(#b) AND attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#b": AttrSealedBox, "#id": attrID},
	})
	if err == nil {
		return nil
	}
	if !isConditionFailed(err) {
		return fmt.Errorf("delete sealed secrets: %w", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      WebhookKey(orgID, webhookID),
		UpdateExpression:         aws.String("REMOVE #k, #b"),
		ConditionExpression:      aws.String("attribute_exists(#b)"),
		ExpressionAttributeNames: sealedNames,
	})
	return conditionalWrite(err, envelope.ErrNoSealed, "remove sealed secrets")
}
