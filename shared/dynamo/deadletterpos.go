package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A recover run's open-from position in its webhook's index of dead
// letters: every item from since up to From was closed or expired when a
// call read it, and none can be written there any more (From is never past
// the call's time less LateDeadLetterWrite), so the next call with the
// same since starts at From instead of reading those tombstones again.
// pk DLQPOS#<org>#<webhook_id>, sk the since's sort key: one per since, as
// a position is only known for the range its calls read.
const (
	// DeadLetterPosKeyPrefix starts the positions' partition keys.
	DeadLetterPosKeyPrefix = "DLQPOS#"
	// deadLetterPosTTL is how long a position serves a run after the call
	// that last moved it; a later call starts from since again.
	deadLetterPosTTL = time.Hour
)

func deadLetterPosKey(orgID, webhookID, since string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: sAttr(DeadLetterPosKeyPrefix + orgID + "#" + webhookID), AttrSK: sAttr(since)}
}

// openFrom is since's position, "" when none is live.
func (x *DeadLetterIndex) openFrom(ctx context.Context, orgID, webhookID, since string, now time.Time) (string, error) {
	from, err := positionFrom(ctx, x.db, x.table, deadLetterPosKey(orgID, webhookID, since), now)
	if err != nil {
		return "", fmt.Errorf("dead letters' position: %w", err)
	}
	return from, nil
}

// moveOpenFrom sets since's position to next unless a call moved it as
// far already.
func (x *DeadLetterIndex) moveOpenFrom(ctx context.Context, orgID, webhookID, since, next string, now time.Time) error {
	_, err := x.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(x.table),
		Key:                       deadLetterPosKey(orgID, webhookID, since),
		UpdateExpression:          aws.String("SET #from = :next, #exp = :exp"),
		ConditionExpression:       aws.String("attribute_not_exists(#from) OR #from < :next OR #exp <= :now"),
		ExpressionAttributeNames:  map[string]string{"#from": "from", "#exp": AttrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":next": sAttr(next), ":exp": nAttr(now.Add(deadLetterPosTTL).Unix()), ":now": nAttr(now.Unix())},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("move dead letters' position: %w", err)
	}
	return nil
}
