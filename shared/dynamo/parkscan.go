package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A parked scan's resume position: where ParkedStore.Since, stopped by its
// read bound, found nothing to keep before. The next call for the same
// webhook and since starts there instead of reading the same deliveries
// parked before since again (they stay parked, and would stop every call
// at the same place). pk PARKSCAN#<org>#<webhook_id>, sk PARKSCAN#<since>:
// one per since, so runs with different since values (two tabs, a tenant
// and a script) never move each other's position back.
const (
	parkScanKeyPrefix = "PARKSCAN#"
	// parkScanTTL is how long a position serves the calls of one recover
	// run (a "more" answer is followed at once).
	parkScanTTL = time.Hour
)

type parkScanItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Since     string `dynamodbav:"since"`
	From      string `dynamodbav:"from"` // a parked sort key
	ExpiresAt int64  `dynamodbav:"expires_at"`
}

func parkScanPK(orgID, webhookID string) string { return parkScanKeyPrefix + orgID + "#" + webhookID }

func parkScanSK(since string) string { return parkScanKeyPrefix + since }

func parkScanKey(orgID, webhookID, since string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: sAttr(parkScanPK(orgID, webhookID)), AttrSK: sAttr(parkScanSK(since))}
}

// resumeFrom is the sort key a scan for since may start at, "" when no
// live position was left for that since.
func (s *ParkedStore) resumeFrom(ctx context.Context, orgID, webhookID, since string) (string, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: parkScanKey(orgID, webhookID, since), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", fmt.Errorf("read parked scan position: %w", err)
	}
	var it parkScanItem
	if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
		return "", fmt.Errorf("decode parked scan position: %w", err)
	}
	if it.Since != since || it.ExpiresAt <= s.Now().Unix() {
		return "", nil
	}
	return it.From, nil
}

// forgetPosition deletes since's position once a scan has read to the end.
func (s *ParkedStore) forgetPosition(ctx context.Context, orgID, webhookID, since string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: parkScanKey(orgID, webhookID, since)})
	if err != nil {
		return fmt.Errorf("delete parked scan position: %w", err)
	}
	return nil
}

// leaveAt records from as the scan position for since.
func (s *ParkedStore) leaveAt(ctx context.Context, orgID, webhookID, since, from string) error {
	item, err := attributevalue.MarshalMap(parkScanItem{
		PK: parkScanPK(orgID, webhookID), SK: parkScanSK(since), Since: since, From: from, ExpiresAt: s.Now().Add(parkScanTTL).Unix(),
	})
	if err == nil {
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	}
	if err != nil {
		return fmt.Errorf("record parked scan position: %w", err)
	}
	return nil
}
