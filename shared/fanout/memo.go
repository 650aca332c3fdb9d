package fanout

import (
	"context"
	"slices"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// subscriptionMemo answers an invocation's repeated (org, event type)
// lookups from the first complete answer, so a batch of one producer's
// events costs one query instead of one per record. It lives for one
// invocation only: a webhook created meanwhile is seen by the next batch,
// as it would be by a record a moment later. A lookup that failed is
// not remembered.
type subscriptionMemo struct {
	store Subscriptions
	pages map[[2]string][][]webhook.Webhook
}

func newSubscriptionMemo(store Subscriptions) *subscriptionMemo {
	return &subscriptionMemo{store: store, pages: map[[2]string][][]webhook.Webhook{}}
}

func (m *subscriptionMemo) ForEachSubscribed(ctx context.Context, orgID, eventName string, fn func([]webhook.Webhook) error) error {
	key := [2]string{orgID, eventName}
	if pages, ok := m.pages[key]; ok {
		for _, page := range pages {
			if err := fn(page); err != nil {
				return err
			}
		}
		return nil
	}
	var pages [][]webhook.Webhook
	err := m.store.ForEachSubscribed(ctx, orgID, eventName, func(page []webhook.Webhook) error {
		pages = append(pages, slices.Clone(page))
		return fn(page)
	})
	if err == nil {
		m.pages[key] = pages
	}
	return err
}
