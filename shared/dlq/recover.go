package dlq

import (
	"context"
	"time"
)

// RedriveWebhook redrives one endpoint's dead letters since a time (a
// tenant's recover call): Redrive with an organization, webhook and since
// filter, so it holds, resets, sends and deletes exactly as an operator's
// redrive does. It returns how many were sent back.
func (o *Ops) RedriveWebhook(ctx context.Context, orgID, webhookID string, since time.Time) (int, error) {
	res, err := o.Redrive(ctx, Filter{OrgID: orgID, WebhookID: webhookID, Since: since}, false, nil)
	return res.Redriven, err
}
