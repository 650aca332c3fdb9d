package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// DeleteGone is the removal after a 410 from read.URL, read being the
// webhook as the delivery read it (through deliver's 10 s cache, so maybe
// stale). It deletes like Delete, but only while the webhook still has
// that URL and is enabled or disabled for failing: the tenant may have
// moved it away from the host that now answers 410, or paused it, since
// the read, and neither change is the endpoint's answer. Refused for that,
// it is webhook.ErrMoved and the webhook and its slot stay; a webhook
// already gone is webhook.ErrNotFound. The URL and the enabled state are
// compared, not updated_at: a rename or a new event list keeps the
// endpoint the 410 came from.
func (s *WebhookStore) DeleteGone(ctx context.Context, read webhook.Webhook) error {
	err := s.deleteIf(ctx, read.OrgID, read.ID, &dynamodb.DeleteItemInput{
		ConditionExpression: aws.String(webhookExists + " AND #url = :posted AND (#enabled = :true OR #reason = :failing)"),
		ExpressionAttributeNames: map[string]string{
			"#id": attrID, "#url": "url", "#enabled": "enabled", "#reason": attrDisabledReason,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":posted":  &types.AttributeValueMemberS{Value: read.URL},
			":true":    &types.AttributeValueMemberBOOL{Value: true},
			":failing": &types.AttributeValueMemberS{Value: webhook.DisabledFailing},
		},
	})
	if !errors.Is(err, webhook.ErrNotFound) {
		return err
	}
	// Refused: gone, or no longer what was POSTed to.
	if _, err := s.get(ctx, read.OrgID, read.ID, true); err != nil {
		return err
	}
	return webhook.ErrMoved
}
