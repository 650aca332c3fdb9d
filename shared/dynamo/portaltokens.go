package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// Key parts and attributes of portal token items (docs/internals.md).
const (
	PortalKeyPrefix = "PORTAL#"
	portalSK        = "PORTAL"
	portalOrgAttr   = "organization_id"
	portalRefAttr   = "ref"
	portalUsedAttr  = "used"
	portalPurpose   = "purpose"
)

// PortalTokenStore keeps the portal's login and session tokens (by hash)
// with a TTL, so any api Lambda container can check a cookie another issued.
type PortalTokenStore struct {
	db    *dynamodb.Client
	table string
}

var _ portalsession.Store = (*PortalTokenStore)(nil)

// NewPortalTokenStore returns a store over the hookrelay table.
func NewPortalTokenStore(db *dynamodb.Client, table string) *PortalTokenStore {
	return &PortalTokenStore{db: db, table: table}
}

func portalKey(kind, hash string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: PortalKeyPrefix + kind + "#" + hash},
		AttrSK: &types.AttributeValueMemberS{Value: portalSK},
	}
}

// Put stores a token; the item expires with it (TTL).
func (s *PortalTokenStore) Put(ctx context.Context, t portalsession.Token) error {
	item := portalKey(t.Kind, t.Hash)
	item[portalOrgAttr] = &types.AttributeValueMemberS{Value: t.OrgID}
	item[AttrTTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(t.ExpiresAt.Unix(), 10)}
	if t.Ref != "" {
		item[portalRefAttr] = &types.AttributeValueMemberS{Value: t.Ref}
	}
	if t.Used {
		item[portalUsedAttr] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if t.Purpose != "" {
		item[portalPurpose] = &types.AttributeValueMemberS{Value: t.Purpose}
	}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	if err != nil {
		return fmt.Errorf("put portal token: %w", err)
	}
	return nil
}

// Get reads a token (consistent read: a session opened a moment ago on
// another container must be found).
func (s *PortalTokenStore) Get(ctx context.Context, kind, hash string) (portalsession.Token, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: portalKey(kind, hash), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return portalsession.Token{}, fmt.Errorf("get portal token: %w", err)
	}
	return portalToken(kind, hash, out.Item)
}

// Take deletes the token and returns what was deleted. The delete is
// conditional on the item existing, so a second use finds nothing.
func (s *PortalTokenStore) Take(ctx context.Context, kind, hash string) (portalsession.Token, error) {
	out, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.table),
		Key:                      portalKey(kind, hash),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
		ReturnValues:             types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return portalsession.Token{}, portalsession.ErrInvalid
	}
	if err != nil {
		return portalsession.Token{}, fmt.Errorf("take portal token: %w", err)
	}
	return portalToken(kind, hash, out.Attributes)
}

// Use marks orgID's token for purpose used and returns it as it was
// before. One update, conditional on the item being orgID's and issued
// for purpose (so existing): the old item says whether it was used
// already, so of two concurrent uses only one finds it unused, with no
// read before; an item for another purpose is left unmarked.
func (s *PortalTokenStore) Use(ctx context.Context, kind, hash, orgID, purpose string) (portalsession.Token, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      portalKey(kind, hash),
		UpdateExpression:         aws.String("SET #used = :used"),
		ConditionExpression:      aws.String("#org = :org AND #purpose = :purpose"),
		ExpressionAttributeNames: map[string]string{"#used": portalUsedAttr, "#org": portalOrgAttr, "#purpose": portalPurpose},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":used":    &types.AttributeValueMemberBOOL{Value: true},
			":org":     &types.AttributeValueMemberS{Value: orgID},
			":purpose": &types.AttributeValueMemberS{Value: purpose},
		},
		ReturnValues: types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return portalsession.Token{}, portalsession.ErrInvalid
	}
	if err != nil {
		return portalsession.Token{}, fmt.Errorf("use portal token: %w", err)
	}
	return portalToken(kind, hash, out.Attributes)
}

// Delete removes a token; a missing one is not an error.
func (s *PortalTokenStore) Delete(ctx context.Context, kind, hash string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: portalKey(kind, hash)})
	if err != nil {
		return fmt.Errorf("delete portal token: %w", err)
	}
	return nil
}

func portalToken(kind, hash string, item map[string]types.AttributeValue) (portalsession.Token, error) {
	org, _ := item[portalOrgAttr].(*types.AttributeValueMemberS)
	exp, _ := item[AttrTTL].(*types.AttributeValueMemberN)
	if org == nil || exp == nil {
		return portalsession.Token{}, portalsession.ErrInvalid
	}
	unix, err := strconv.ParseInt(exp.Value, 10, 64)
	if err != nil {
		return portalsession.Token{}, fmt.Errorf("portal token %s: bad %s: %w", kind, AttrTTL, err)
	}
	t := portalsession.Token{Kind: kind, Hash: hash, OrgID: org.Value, ExpiresAt: time.Unix(unix, 0).UTC()}
	if ref, ok := item[portalRefAttr].(*types.AttributeValueMemberS); ok {
		t.Ref = ref.Value
	}
	if used, ok := item[portalUsedAttr].(*types.AttributeValueMemberBOOL); ok {
		t.Used = used.Value
	}
	if purpose, ok := item[portalPurpose].(*types.AttributeValueMemberS); ok {
		t.Purpose = purpose.Value
	}
	return t, nil
}
