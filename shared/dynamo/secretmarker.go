package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/secretmigrate"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// attrSecretStore records on a webhook item which secret store holds its
// authoritative secrets, once `hookrelay secrets migrate` has copied and
// verified them there (absent: never migrated, the store it was made in).
const attrSecretStore = "secret_store"

// SecretMarkers are the webhook items as the secret store migration
// walks and switches them (secretmigrate.Webhooks).
type SecretMarkers struct{ s *WebhookStore }

var _ secretmigrate.Webhooks = SecretMarkers{}

// SecretMarkers returns the migration's view of the webhook items.
func (s *WebhookStore) SecretMarkers() SecretMarkers { return SecretMarkers{s} }

// ForEach scans the whole table for webhooks (an operator's migration
// walk; no function is granted Scan), a page at a time.
func (m SecretMarkers) ForEach(ctx context.Context, fn func(secretmigrate.Webhook) error) error {
	s := m.s
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName:                aws.String(s.table),
		FilterExpression:         aws.String("begins_with(#sk, :wh) AND attribute_exists(#id)"),
		ProjectionExpression:     aws.String("#pk, #sk, #store"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#sk": AttrSK, "#id": attrID, "#store": attrSecretStore},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":wh": &types.AttributeValueMemberS{Value: webhookPrefix},
		},
		Limit: s.limit(),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("scan webhooks: %w", err)
		}
		for _, item := range out.Items {
			pk, _ := item[AttrPK].(*types.AttributeValueMemberS)
			sk, _ := item[AttrSK].(*types.AttributeValueMemberS)
			store, _ := item[attrSecretStore].(*types.AttributeValueMemberS)
			if pk == nil || sk == nil {
				continue
			}
			ref := secretmigrate.Webhook{OrgID: strings.TrimPrefix(pk.Value, OrgKeyPrefix), ID: strings.TrimPrefix(sk.Value, webhookPrefix)}
			if store != nil {
				ref.SecretStore = store.Value
			}
			if err := fn(ref); err != nil {
				return err
			}
		}
	}
	return nil
}

// Mark switches the webhook's item to store; webhook.ErrNotFound if the
// webhook is gone.
func (m SecretMarkers) Mark(ctx context.Context, orgID, id, store string) error {
	_, err := m.s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(m.s.table),
		Key:                       WebhookKey(orgID, id),
		UpdateExpression:          aws.String("SET #store = :store"),
		ConditionExpression:       aws.String(webhookExists),
		ExpressionAttributeNames:  map[string]string{"#store": attrSecretStore, "#id": attrID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":store": &types.AttributeValueMemberS{Value: store}},
	})
	return conditionalWrite(err, webhook.ErrNotFound, "mark secret store")
}
