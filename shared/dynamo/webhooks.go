package dynamo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Key parts of the webhook items (docs/internals.md). The org prefix is
// exported: fan-out's IAM grant is scoped by it (shared/permissions).
const (
	OrgKeyPrefix  = "ORG#"
	webhookPrefix = "WH#"
	counterSK     = "COUNT"
)

// WebhookStore is the DynamoDB implementation of webhook.Store.
type WebhookStore struct {
	db    *dynamodb.Client
	table string
	// pageSize caps items read per fan-out Query (0: DynamoDB's 1 MB
	// pages). Tests lower it to exercise pagination.
	pageSize int32
	// eventualGets makes Get read eventually consistent first.
	eventualGets bool
}

var _ webhook.Store = (*WebhookStore)(nil)

// NewWebhookStore returns a store over the hookrelay table.
func NewWebhookStore(db *dynamodb.Client, table string) *WebhookStore {
	return &WebhookStore{db: db, table: table}
}

// webhookItem is the stored shape. Timestamps are RFC 3339 strings so the
// table stays readable in the console.
type webhookItem struct {
	PK         string   `dynamodbav:"pk"`
	SK         string   `dynamodbav:"sk"`
	ID         string   `dynamodbav:"id"`
	OrgID      string   `dynamodbav:"organization_id"`
	Name       string   `dynamodbav:"name"`
	URL        string   `dynamodbav:"url"`
	EventTypes []string `dynamodbav:"event_types"`
	AllEvents  bool     `dynamodbav:"all_events"`
	Enabled    bool     `dynamodbav:"enabled"`
	CreatedAt  string   `dynamodbav:"created_at"`
	UpdatedAt  string   `dynamodbav:"updated_at"`
	// Disable reason and health (health.go); absent on a healthy webhook.
	DisabledReason      string `dynamodbav:"disabled_reason,omitempty"`
	DisabledAt          string `dynamodbav:"disabled_at,omitempty"`
	DisabledNotice      bool   `dynamodbav:"disabled_notice_pending,omitempty"`
	ConsecutiveFailures int    `dynamodbav:"consecutive_failures,omitempty"`
	FailingSince        string `dynamodbav:"failing_since,omitempty"`
	FirstDeadLetterAt   string `dynamodbav:"first_dead_letter_at,omitempty"`
	LastSuccessAt       string `dynamodbav:"last_success_at,omitempty"`
	RunSince            string `dynamodbav:"last_run_failing_since,omitempty"`
	RunEnd              string `dynamodbav:"last_run_ended_at,omitempty"`
	RunFailures         int    `dynamodbav:"last_run_failures,omitempty"`
	SecretVersion       int    `dynamodbav:"secret_version,omitempty"`
	PreviousExpiresAt   string `dynamodbav:"previous_secret_expires_at,omitempty"`
	SecretRotation      string `dynamodbav:"secret_rotation,omitempty"`
	// DeadLettersFrom: a recover owes a read of the dead letters from
	// then (deadlettersowed.go); sortable, for its conditions.
	DeadLettersFrom string `dynamodbav:"dead_letters_from,omitempty"`
}

func orgPK(orgID string) string     { return OrgKeyPrefix + orgID }
func webhookSK(id string) string    { return webhookPrefix + id }
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func toItem(w webhook.Webhook) webhookItem {
	return webhookItem{
		PK: orgPK(w.OrgID), SK: webhookSK(w.ID),
		ID: w.ID, OrgID: w.OrgID, Name: w.Name, URL: w.URL,
		EventTypes: w.EventTypes, AllEvents: w.AllEvents, Enabled: w.Enabled,
		CreatedAt: formatTime(w.CreatedAt), UpdatedAt: formatTime(w.UpdatedAt),
		DisabledReason: w.DisabledReason, DisabledAt: formatOptional(w.DisabledAt, formatTime),
		DisabledNotice:      w.DisabledNoticePending,
		ConsecutiveFailures: w.Health.ConsecutiveFailures,
		FailingSince:        formatOptional(w.Health.FailingSince, sortableTime), LastSuccessAt: formatOptional(w.Health.LastSuccessAt, formatTime),
		FirstDeadLetterAt: formatOptional(w.Health.FirstDeadLetterAt, sortableTime),
		RunSince:          formatOptional(w.Health.LastFailureRun.FailingSince, sortableTime),
		RunEnd:            formatOptional(w.Health.LastFailureRun.EndedAt, sortableTime), RunFailures: w.Health.LastFailureRun.Failures,
		SecretVersion: w.SecretVersion, PreviousExpiresAt: formatOptional(w.PreviousSecretExpiresAt, formatTime),
		SecretRotation: w.SecretRotation, DeadLettersFrom: formatOptional(w.DeadLettersFrom, sortableTime),
	}
}

func (it webhookItem) toWebhook() (webhook.Webhook, error) {
	created, err := time.Parse(time.RFC3339Nano, it.CreatedAt)
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("webhook %s: created_at: %w", it.ID, err)
	}
	updated, err := time.Parse(time.RFC3339Nano, it.UpdatedAt)
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("webhook %s: updated_at: %w", it.ID, err)
	}
	w := webhook.Webhook{
		ID: it.ID, OrgID: it.OrgID, Name: it.Name, URL: it.URL,
		EventTypes: it.EventTypes, AllEvents: it.AllEvents, Enabled: it.Enabled,
		CreatedAt: created, UpdatedAt: updated, DisabledReason: it.DisabledReason, SecretVersion: it.SecretVersion,
		SecretRotation: it.SecretRotation, DisabledNoticePending: it.DisabledNotice,
	}
	var errs [8]error
	w.DisabledAt, errs[0] = parseOptional(it.DisabledAt)
	w.Health.FailingSince, errs[1] = parseOptional(it.FailingSince)
	w.Health.LastSuccessAt, errs[2] = parseOptional(it.LastSuccessAt)
	w.PreviousSecretExpiresAt, errs[3] = parseOptional(it.PreviousExpiresAt)
	w.Health.FirstDeadLetterAt, errs[4] = parseOptional(it.FirstDeadLetterAt)
	w.DeadLettersFrom, errs[5] = parseOptional(it.DeadLettersFrom)
	w.Health.LastFailureRun.FailingSince, errs[6] = parseOptional(it.RunSince)
	w.Health.LastFailureRun.EndedAt, errs[7] = parseOptional(it.RunEnd)
	w.Health.ConsecutiveFailures, w.Health.LastFailureRun.Failures = it.ConsecutiveFailures, it.RunFailures
	if err := errors.Join(errs[:]...); err != nil {
		return webhook.Webhook{}, fmt.Errorf("webhook %s: %w", it.ID, err)
	}
	return w, nil
}

// WebhookKey is the key of organization orgID's webhook id in the table
// (tests that read the item raw use it rather than the layout).
func WebhookKey(orgID, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: orgPK(orgID)},
		AttrSK: &types.AttributeValueMemberS{Value: webhookSK(id)},
	}
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// conditionalWrite is what a conditional write's err means to its
// caller: refused when the condition failed, err named by what when the
// call failed otherwise, nil when the item was written.
func conditionalWrite(err, refused error, what string) error {
	if isConditionFailed(err) {
		return refused
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Create reserves a slot in the org's counter (webhookslots.go), then
// writes the item. There are no transactions (dynalite has none), so a
// failed write is undone: the item removed (a write cut off by the
// deadline may have applied) and the slot given back; a crash between the
// two leaves the counter one too high, which only ever errs on the side of
// the cap. The write is an update, not a put, so sealed secrets already on
// the key (the envelope store writes them first) stay; its condition is on
// the id, which only a webhook has.
//
// Once started, the writes run to the end whether or not the caller stays
// (firstWrites): a request canceled just after the reservation applied
// would otherwise lose its answer and leave the slot taken for good.
func (s *WebhookStore) Create(ctx context.Context, w webhook.Webhook, maxPerOrg int) error {
	first, cancel, err := firstWrites(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	added, err := s.reserveSlot(first, w.OrgID, w.ID, maxPerOrg)
	if err != nil {
		return err
	}
	in, err := createUpdate(w)
	if err == nil {
		in.TableName = aws.String(s.table)
		_, err = s.db.UpdateItem(first, in)
	}
	if err != nil {
		return s.undoCreate(ctx, w, added, err)
	}
	return nil
}

// undoCreate gives back the slot of a create whose item write failed with
// err, in a context of its own (the first writes' may be spent). A write
// refused by its condition found a webhook with that id: this create's own
// when the SDK sent the write again after its first send's answer was
// lost (the create succeeded), else another's, which keeps the slot a
// reservation found made already (added false). Any other failure may
// have applied with its answer lost, so the item goes first: a create
// reported failed must leave no webhook, or the API would discard the
// secret of one that deliveries still reach.
func (s *WebhookStore) undoCreate(ctx context.Context, w webhook.Webhook, added bool, err error) error {
	ctx, cancel := detach.Bookkeeping(ctx)
	defer cancel()
	if isConditionFailed(err) {
		if stored, gerr := s.get(ctx, w.OrgID, w.ID, true); gerr == nil && stored.CreatedAt.Equal(w.CreatedAt) {
			return nil
		}
		exists := fmt.Errorf("webhook %s already exists", w.ID)
		if !added {
			return exists
		}
		if rerr := s.releaseSlot(ctx, w.OrgID, w.ID); rerr != nil {
			return errors.Join(exists, fmt.Errorf("release counter slot: %w", rerr))
		}
		return exists
	}
	err = fmt.Errorf("put webhook: %w", err)
	_, derr := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: WebhookKey(w.OrgID, w.ID),
		ConditionExpression: aws.String(webhookExists), ExpressionAttributeNames: map[string]string{"#id": attrID},
	})
	if derr != nil && !isConditionFailed(derr) {
		// The webhook may exist: its slot stays taken with it.
		return errors.Join(err, fmt.Errorf("remove the webhook the failed write may have stored: %w", derr))
	}
	if rerr := s.releaseSlot(ctx, w.OrgID, w.ID); rerr != nil {
		return errors.Join(err, fmt.Errorf("release counter slot: %w", rerr))
	}
	return err
}

// createUpdate sets every attribute of the webhook's item, on condition
// that no webhook has that key yet.
func createUpdate(w webhook.Webhook) (*dynamodb.UpdateItemInput, error) {
	item, err := attributevalue.MarshalMap(toItem(w))
	if err != nil {
		return nil, err
	}
	names := map[string]string{"#id": attrID}
	values := map[string]types.AttributeValue{}
	var sets []string
	for _, attr := range slices.Sorted(maps.Keys(item)) {
		if attr == AttrPK || attr == AttrSK {
			continue
		}
		n := strconv.Itoa(len(sets))
		names["#a"+n], values[":v"+n] = attr, item[attr]
		sets = append(sets, "#a"+n+" = :v"+n)
	}
	return &dynamodb.UpdateItemInput{
		Key:                       WebhookKey(w.OrgID, w.ID),
		UpdateExpression:          aws.String("SET " + strings.Join(sets, ", ")),
		ConditionExpression:       aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}, nil
}

// firstWrites is the context of a create's or delete's first writes: not
// started when the caller has already gone, and else free of the caller's
// cancellation but not of its deadline, so the answer of a write that
// applied is never dropped because a client left, while a slow store
// still ends with the request. What follows a failure (undoCreate) or the
// delete (the slot's release) gets a context of its own.
func firstWrites(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	detached := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		ctx, cancel := context.WithDeadline(detached, deadline)
		return ctx, cancel, nil
	}
	ctx, cancel := context.WithCancel(detached)
	return ctx, cancel, nil
}

// EventuallyConsistent returns the store with Get reading eventually
// consistent, for half the read units: for delivery, which caches webhooks
// and so sees changes late anyway. A webhook not found is read again
// consistently, so one created a moment before its first event is found.
func (s *WebhookStore) EventuallyConsistent() *WebhookStore {
	c := *s
	c.eventualGets = true
	return &c
}

// Get returns one webhook of the org.
func (s *WebhookStore) Get(ctx context.Context, orgID, id string) (webhook.Webhook, error) {
	w, err := s.get(ctx, orgID, id, !s.eventualGets)
	if errors.Is(err, webhook.ErrNotFound) && s.eventualGets {
		return s.get(ctx, orgID, id, true)
	}
	return w, err
}

func (s *WebhookStore) get(ctx context.Context, orgID, id string, consistent bool) (webhook.Webhook, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            WebhookKey(orgID, id),
		ConsistentRead: aws.Bool(consistent),
	})
	if err != nil {
		return webhook.Webhook{}, fmt.Errorf("get webhook: %w", err)
	}
	if out.Item == nil {
		return webhook.Webhook{}, webhook.ErrNotFound
	}
	return decodeWebhook(out.Item)
}

// decodeWebhook returns webhook.ErrNotFound for an item without an id:
// sealed secrets written before their webhook (SealedItems.CreateSealed),
// whose webhook does not exist yet, or never will if its create failed.
func decodeWebhook(av map[string]types.AttributeValue) (webhook.Webhook, error) {
	var it webhookItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return webhook.Webhook{}, fmt.Errorf("decode webhook: %w", err)
	}
	if it.ID == "" {
		return webhook.Webhook{}, webhook.ErrNotFound
	}
	return it.toWebhook()
}

// decodeWebhooks decodes a page, leaving out items that are no webhook yet.
func decodeWebhooks(items []map[string]types.AttributeValue) ([]webhook.Webhook, error) {
	out := make([]webhook.Webhook, 0, len(items))
	for _, av := range items {
		w, err := decodeWebhook(av)
		if errors.Is(err, webhook.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// List pages through the org's webhooks in creation order (ids are
// time-ordered). It reads one item past the page so the cursor is empty
// exactly when nothing follows: DynamoDB alone returns a LastEvaluatedKey
// whenever a page is full, even if it was the last one.
func (s *WebhookStore) List(ctx context.Context, orgID string, limit int, cursor string) ([]webhook.Webhook, string, error) {
	if limit <= 0 {
		return nil, "", fmt.Errorf("list webhooks: limit %d must be positive", limit)
	}
	var start map[string]types.AttributeValue
	if cursor != "" {
		id, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		start = WebhookKey(orgID, id)
	}
	var page []webhook.Webhook
	for {
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(s.table),
			KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :wh)"),
			ExpressionAttributeNames: map[string]string{
				"#pk": AttrPK, "#sk": AttrSK,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: orgPK(orgID)},
				":wh": &types.AttributeValueMemberS{Value: webhookPrefix},
			},
			ExclusiveStartKey: start,
			Limit:             aws.Int32(int32(limit + 1 - len(page))),
			ConsistentRead:    aws.Bool(true),
		})
		if err != nil {
			return nil, "", fmt.Errorf("list webhooks: %w", err)
		}
		hooks, err := decodeWebhooks(out.Items)
		if err != nil {
			return nil, "", err
		}
		page = append(page, hooks...)
		if len(page) > limit {
			return page[:limit], encodeCursor(page[limit-1].ID), nil
		}
		if out.LastEvaluatedKey == nil {
			return page, "", nil
		}
		start = out.LastEvaluatedKey
	}
}

// The cursor is the last returned webhook id, base64url-encoded so clients
// treat it as opaque. The org is never part of it: the key is rebuilt from
// the caller's org, so a cursor cannot reach into another org.
func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(webhookSK(id)))
}

func decodeCursor(cursor string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", webhook.ErrInvalidCursor
	}
	id, ok := strings.CutPrefix(string(raw), webhookPrefix)
	if !ok || !ids.Valid(ids.WebhookPrefix, id) {
		return "", webhook.ErrInvalidCursor
	}
	return id, nil
}

// BumpSecretVersion counts a rotation of the webhook's signing secret
// (ADD, so it never goes back whatever else updates the item) and records
// the previous secret's end of grace and the rotation's record id (32
// characters: the item stays small).
func (s *WebhookStore) BumpSecretVersion(ctx context.Context, orgID, id string, previousExpiresAt time.Time, rotation string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      WebhookKey(orgID, id),
		ConditionExpression:      aws.String(webhookExists),
		UpdateExpression:         aws.String("SET #pe = :pe, #rot = :rot ADD #v :one"),
		ExpressionAttributeNames: map[string]string{"#id": attrID, "#v": "secret_version", "#pe": "previous_secret_expires_at", "#rot": "secret_rotation"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": &types.AttributeValueMemberN{Value: "1"},
			":pe":  &types.AttributeValueMemberS{Value: formatTime(previousExpiresAt)},
			":rot": &types.AttributeValueMemberS{Value: rotation},
		},
	})
	return conditionalWrite(err, webhook.ErrNotFound, "bump secret version")
}

// Update writes the mutable fields w changes from read, and nothing else:
// a field the caller left as it read it may have been changed by someone
// else since (two PATCHes of different fields, a recover beside a PATCH
// of the URL), and writing the read value back would undo that change
// while both callers are told theirs landed. Its condition keeps it from
// recreating a webhook deleted meanwhile (which would bypass the counter)
// and from undoing an enable or disable made since read: the disable for
// failing (DisableFailing) writes only enabled and the reason, so an
// update that read the webhook enabled would enable it again.
func (s *WebhookStore) Update(ctx context.Context, read, w webhook.Webhook) error {
	if read.OrgID != w.OrgID || read.ID != w.ID {
		return fmt.Errorf("update webhook: read %s/%s, update %s/%s", read.OrgID, read.ID, w.OrgID, w.ID)
	}
	u := webhookUpdate{
		names:  map[string]string{"#id": attrID, "#enabled": "enabled", "#updated": "updated_at"},
		values: map[string]types.AttributeValue{":wasEnabled": &types.AttributeValueMemberBOOL{Value: read.Enabled}},
	}
	u.set("#updated", "updated_at", ":updated", &types.AttributeValueMemberS{Value: formatTime(w.UpdatedAt)})
	if w.Name != read.Name {
		u.set("#name", "name", ":name", &types.AttributeValueMemberS{Value: w.Name})
	}
	if w.URL != read.URL {
		u.set("#url", "url", ":url", &types.AttributeValueMemberS{Value: w.URL})
	}
	// The subscription is one setting in two attributes: both or neither.
	if w.AllEvents != read.AllEvents || !slices.Equal(w.EventTypes, read.EventTypes) {
		events, err := attributevalue.Marshal(w.EventTypes)
		if err != nil {
			return fmt.Errorf("update webhook: %w", err)
		}
		u.set("#events", "event_types", ":events", events)
		u.set("#all", "all_events", ":all", &types.AttributeValueMemberBOOL{Value: w.AllEvents})
	}
	if w.Enabled != read.Enabled {
		u.set("#enabled", "enabled", ":enabled", &types.AttributeValueMemberBOOL{Value: w.Enabled})
	}
	update := "SET " + strings.Join(u.sets, ", ")
	// Enabled means no disable reason (a tenant's enable ends hookrelay's),
	// and a reason the caller cleared (a tenant's own disable) is removed;
	// one the caller read back is kept.
	if w.Enabled || w.DisabledReason == "" {
		// A notice of a disable that is over is not to be announced.
		update += " REMOVE #reason, #disabledAt, #notice"
		u.names["#reason"], u.names["#disabledAt"], u.names["#notice"] = attrDisabledReason, attrDisabledAt, attrDisabledNotice
		// An enable starts the health over in the same conditional write:
		// a failed enable keeps the disabled endpoint's run (where Recover
		// begins), and a done one never leaves an enabled endpoint with an
		// old run that the next failure would disable again at once.
		// A recover's mark of the run goes with it: kept, it would make a
		// later run from the same start pass for the recovered one.
		if w.Enabled && !read.Enabled {
			update += ", #failures, #failingSince, #firstDeadAt, #rs, #rn"
			u.names["#failures"], u.names["#failingSince"], u.names["#firstDeadAt"] = attrFailures, attrFailingSince, attrFirstDeadAt
			u.names["#rs"], u.names["#rn"] = attrRecoveredSince, attrRecoveredFailures
		}
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       WebhookKey(w.OrgID, w.ID),
		ConditionExpression:       aws.String(webhookExists + " AND #enabled = :wasEnabled"),
		UpdateExpression:          aws.String(update),
		ExpressionAttributeNames:  u.names,
		ExpressionAttributeValues: u.values,
	})
	if err = conditionalWrite(err, webhook.ErrChanged, "update webhook"); !errors.Is(err, webhook.ErrChanged) {
		return err
	}
	// Refused: gone, or enabled or disabled since read.
	if _, err := s.get(ctx, w.OrgID, w.ID, true); err != nil {
		return err
	}
	return webhook.ErrChanged
}

// Delete removes the webhook and gives its slot back. Only the caller whose
// conditional delete succeeded decrements, so concurrent deletes of the same
// webhook cannot free two slots. A failed decrement cannot be retried
// safely (a retry would get ErrNotFound, or free a second slot), so it is
// reported as ErrSlotNotReleased: the webhook is gone all the same.
func (s *WebhookStore) Delete(ctx context.Context, orgID, id string) error {
	return s.deleteIf(ctx, orgID, id, &dynamodb.DeleteItemInput{
		ConditionExpression:      aws.String(webhookExists),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	})
}

// deleteIf deletes the webhook under del's condition (on top of its key),
// then gives its slot back; a refused condition is ErrNotFound. As in
// Create, the two writes run to the end once started.
func (s *WebhookStore) deleteIf(ctx context.Context, orgID, id string, del *dynamodb.DeleteItemInput) error {
	first, cancel, err := firstWrites(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	del.TableName, del.Key = aws.String(s.table), WebhookKey(orgID, id)
	_, err = s.db.DeleteItem(first, del)
	if err := conditionalWrite(err, webhook.ErrNotFound, "delete webhook"); err != nil {
		return err
	}
	release, done := detach.Bookkeeping(ctx)
	defer done()
	if err := s.releaseSlot(release, orgID, id); err != nil {
		return fmt.Errorf("%w: %w", webhook.ErrSlotNotReleased, err)
	}
	return nil
}

func (s *WebhookStore) limit() *int32 {
	if s.pageSize <= 0 {
		return nil
	}
	return aws.Int32(s.pageSize)
}

// ForEachSubscribed queries the org's partition with a filter, so fan-out
// reads one partition however many events the org receives. Pages that the
// filter empties entirely are not passed to fn. A webhook disabled for
// failing is included: its deliveries are parked for a recover, not dropped.
// The read is consistent whatever the store's mode: this query alone
// decides whether an accepted event reaches a webhook, and an eventually
// consistent one could miss a webhook created, enabled or subscribed just
// before the publish, with no delivery and no trace.
func (s *WebhookStore) ForEachSubscribed(ctx context.Context, orgID, eventName string, fn func([]webhook.Webhook) error) error {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :wh)"),
		FilterExpression:       aws.String("(#enabled = :true OR #reason = :failing) AND (#all = :true OR contains(#events, :event))"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#sk": AttrSK, "#enabled": "enabled", "#all": "all_events", "#events": "event_types",
			"#reason": attrDisabledReason,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":      &types.AttributeValueMemberS{Value: orgPK(orgID)},
			":wh":      &types.AttributeValueMemberS{Value: webhookPrefix},
			":true":    &types.AttributeValueMemberBOOL{Value: true},
			":event":   &types.AttributeValueMemberS{Value: eventName},
			":failing": &types.AttributeValueMemberS{Value: webhook.DisabledFailing},
		},
		Limit: s.limit(),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("query subscribed webhooks: %w", err)
		}
		page, err := decodeWebhooks(out.Items)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			continue
		}
		if err := fn(page); err != nil {
			return err
		}
	}
	return nil
}
