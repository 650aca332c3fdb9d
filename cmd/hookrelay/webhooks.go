package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/rfc3339"
)

func init() { rootCmd.AddCommand(newWebhooksCmd()) }

// newWebhooksCmd builds `hookrelay webhooks`, the tenant API's webhook
// calls a developer runs against `make dev` (or a deployed stack).
func newWebhooksCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "webhooks", Short: "Tenant webhook calls (recover)"}
	cmd.AddCommand(newRecoverCmd())
	return cmd
}

// parseSince reads "24h" (that long before now) or an RFC 3339 time.
func parseSince(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if d, err := time.ParseDuration(v); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--since %q: a duration back from now must be positive", v)
		}
		return now.Add(-d), nil
	}
	t, err := rfc3339.Parse(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want a duration back from now (24h) or an RFC 3339 time", v)
	}
	if t.After(now) {
		return time.Time{}, fmt.Errorf("--since %q is in the future", v)
	}
	return t, nil
}

// oneWebhookID names the argument recover is missing, where cobra's
// ExactArgs would say "accepts 1 arg(s), received 0".
func oneWebhookID(_ *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return errors.New("missing WEBHOOK_ID: the id of the webhook to recover (wh_...)")
	case 1:
		return nil
	}
	return fmt.Errorf("want one WEBHOOK_ID, got %d arguments: %q", len(args), args)
}

func newRecoverCmd() *cobra.Command {
	var (
		target apiTarget
		since  string
	)
	cmd := &cobra.Command{
		Use:   "recover WEBHOOK_ID --since 24h --org ORG",
		Short: "Enable a webhook if disabled and redeliver its dead-lettered and parked deliveries since a time",
		Long: "Calls POST /api/v1/organization/webhooks/{id}/recover: the webhook is enabled if it was disabled, and its " +
			"deliveries dead-lettered or parked since --since are queued again, oldest first, with their original delivery " +
			"ids. By default it signs a dev token for --org and calls the running `make dev` (found through its state " +
			"file, or at http://$" + config.EnvAddr + " when that is set); pass --api and a token " +
			"for a deployed stack.\n\n" + tokenHelp,
		Args: oneWebhookID,
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if !ids.Valid(ids.WebhookPrefix, id) {
				return fmt.Errorf("%q is not a webhook id (wh_...)", id)
			}
			if since == "" {
				return errors.New("--since is required (24h, or an RFC 3339 time)")
			}
			from, err := parseSince(since, time.Now())
			if err != nil {
				return err
			}
			cfg, err := config.Load()
			if err != nil {
				return err
			}
			if err := target.resolve(cmd.Context(), cmd.InOrStdin(), cfg); err != nil {
				return err
			}
			var out recovered
			body := map[string]string{"since": from.UTC().Format(time.RFC3339)}
			if err := target.call(cmd.Context(), http.MethodPost, "/api/v1/organization/webhooks/"+id+"/recover", body, http.StatusAccepted, &out); err != nil {
				return err
			}
			out.write(cmd.OutOrStdout(), id, body["since"])
			return nil
		},
	}
	target.addFlags(cmd.Flags(), "organization the webhook belongs to (signs a dev token)")
	cmd.Flags().StringVar(&since, "since", "", "recover what failed since this long ago (24h) or since an RFC 3339 time")
	return cmd
}

// recovered is the recover call's answer.
type recovered struct {
	Enabled               bool `json:"enabled"`
	Queued                int  `json:"queued"`
	DeadLettered          int  `json:"dead_lettered"`
	Parked                int  `json:"parked"`
	More                  bool `json:"more"`
	DeadLettersIncomplete bool `json:"dead_letters_incomplete"`
}

// write prints the answer. The next call for more must use the time this
// one resolved, not the same relative --since: "9s" later would begin
// after the parked deliveries still waiting.
func (r recovered) write(w io.Writer, id, since string) {
	if r.Enabled {
		fmt.Fprintf(w, "enabled %s\n", id)
	}
	fmt.Fprintf(w, "queued %s (%d dead-lettered, %d parked) since %s\n", phrase.Count(r.Queued, "delivery", "deliveries"), r.DeadLettered, r.Parked, since)
	if r.More {
		fmt.Fprintf(w, "more parked deliveries remain: run the command again with --since %s\n", since)
	}
	if r.DeadLettersIncomplete {
		// Most often a recover less than 30 s before searched the dead
		// letters (README "Recover"); a failed read is the other cause.
		// Either way the search may be incomplete and the next call, 30 s
		// on, finishes it: nothing is known to have failed.
		fmt.Fprintln(w, "dead letters may not all have been searched (a recover less than 30 s ago did): run the command again in 30 s to queue any that remain")
	}
}
