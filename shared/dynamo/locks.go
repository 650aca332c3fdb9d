package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/ids"
)

// Key parts and attributes of lock items (docs/internals.md).
const (
	LockKeyPrefix = "LOCK#"
	lockSK        = "LOCK"
	lockTokenAttr = "token"
)

// Locks are named locks that end by themselves, one item each, shared by
// every process on the table: the DLQ tools' scan lock and each
// organization's recover interval (dlq.Locks). An item past expires_at
// counts as free: TTL deletion is lazy in DynamoDB and never happens in
// dynalite.
type Locks struct {
	db    *dynamodb.Client
	table string
	Now   func() time.Time // tests move the clock past a lock's end
}

// NewLocks returns the locks of the hookrelay table.
func NewLocks(db *dynamodb.Client, table string) *Locks {
	return &Locks{db: db, table: table, Now: time.Now}
}

func lockKey(name string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: LockKeyPrefix + name},
		AttrSK: &types.AttributeValueMemberS{Value: lockSK},
	}
}

// until is a lock's end in expires_at's whole seconds, rounded up so a
// lock never ends before ttl has passed.
func until(now time.Time, ttl time.Duration) *types.AttributeValueMemberN {
	end := now.Add(ttl)
	sec := end.Unix()
	if end.After(time.Unix(sec, 0)) {
		sec++
	}
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(sec, 10)}
}

// Acquire takes name for ttl unless it is held and has not ended. It
// returns the token that extends and releases it, or "" when it is held.
func (l *Locks) Acquire(ctx context.Context, name string, ttl time.Duration) (string, error) {
	now := l.Now()
	token := ids.NewAt("lck_", now)
	item := lockKey(name)
	item[lockTokenAttr] = &types.AttributeValueMemberS{Value: token}
	item[AttrTTL] = until(now, ttl)
	_, err := l.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.table),
		Item:      item,
		// Its own token passes too: the SDK retries a put whose answer was
		// lost, and the retry must not find the lock held by itself.
		ConditionExpression:      aws.String("attribute_not_exists(#pk) OR #exp <= :now OR #tok = :tok"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#exp": AttrTTL, "#tok": lockTokenAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
			":tok": &types.AttributeValueMemberS{Value: token},
		},
	})
	if isConditionFailed(err) {
		return "", nil
	}
	if err != nil {
		// The put may have been applied with its answer lost or cut off by
		// the caller's deadline: free it, or nobody could take the lock
		// until ttl ends. Best effort: a put still on its way when this
		// delete lands wins, and then the lock ends with its ttl.
		rctx, cancel := detach.Bookkeeping(ctx)
		defer cancel()
		_ = l.Release(rctx, name, token)
		return "", fmt.Errorf("acquire lock %s: %w", name, err)
	}
	return token, nil
}

// Extend moves the end of a lock token holds to ttl from now. It returns
// false when token no longer holds it (it ended and was taken).
func (l *Locks) Extend(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
	_, err := l.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(l.table),
		Key:                      lockKey(name),
		UpdateExpression:         aws.String("SET #exp = :exp"),
		ConditionExpression:      aws.String("#tok = :tok"),
		ExpressionAttributeNames: map[string]string{"#exp": AttrTTL, "#tok": lockTokenAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":exp": until(l.Now(), ttl), ":tok": &types.AttributeValueMemberS{Value: token},
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("extend lock %s: %w", name, err)
	}
	return true, nil
}

// Release frees a lock token holds; one another holder took meanwhile is
// left alone.
func (l *Locks) Release(ctx context.Context, name, token string) error {
	_, err := l.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(l.table),
		Key:                       lockKey(name),
		ConditionExpression:       aws.String("#tok = :tok"),
		ExpressionAttributeNames:  map[string]string{"#tok": lockTokenAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":tok": &types.AttributeValueMemberS{Value: token}},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release lock %s: %w", name, err)
	}
	return nil
}

// End reads when a held lock ends by itself, unless its holder extends
// it: the zero time when it is free. Those kept out say how long a holder
// that crashed keeps them out.
func (l *Locks) End(ctx context.Context, name string) (time.Time, error) {
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(l.table), Key: lockKey(name), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#exp"), ExpressionAttributeNames: map[string]string{"#exp": AttrTTL},
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("read lock %s: %w", name, err)
	}
	exp, _ := out.Item[AttrTTL].(*types.AttributeValueMemberN)
	if exp == nil {
		return time.Time{}, nil
	}
	sec, err := strconv.ParseInt(exp.Value, 10, 64)
	if err != nil || sec <= l.Now().Unix() { // ended: Acquire takes it
		return time.Time{}, nil
	}
	return time.Unix(sec, 0).UTC(), nil
}
