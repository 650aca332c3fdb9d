package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/dlq"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/phrase"
)

func init() { rootCmd.AddCommand(newDLQCmd()) }

// newDLQCmd builds the command tree afresh, so tests run it with their own
// flags and arguments.
func newDLQCmd() *cobra.Command {
	var target dlqTarget
	cmd := &cobra.Command{
		Use:   "dlq",
		Short: "Inspect, redrive and purge the delivery dead-letter queue",
		Long: `Operators' tools for the delivery DLQ. Without --stack, --dlq-url or
HOOKRELAY_DLQ_URL they act on the running ` + "`make dev`" + `.
Endpoint-tier entries (retries_exhausted, retry_budget_exhausted,
permanent_status, blocked_address, invalid_url) are the tenant's to fix; pipeline-tier entries
(malformed_message, max_receive_exceeded) are the operator's.`,
	}
	target.addFlags(cmd.PersistentFlags())
	cmd.AddCommand(newDLQListCmd(&target), newDLQShowCmd(&target), newDLQRedriveCmd(&target), newDLQPurgeCmd(&target))
	for _, sub := range cmd.Commands() {
		run := sub.RunE
		sub.RunE = func(c *cobra.Command, args []string) error { return explainSilence(run(c, args)) }
	}
	return cmd
}

// filterFlags are the selection flags ls, redrive and purge share.
type filterFlags struct{ spec dlq.FilterSpec }

func (f *filterFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.spec.OrgID, "org", "", "only this organization")
	fs.StringVar(&f.spec.WebhookID, "webhook", "", "only this webhook")
	fs.StringVar(&f.spec.Reason, "reason", "", "only this reason ("+strings.Join(message.DeadLetterReasons, ", ")+")")
	fs.StringVar(&f.spec.Tier, "tier", "", "only this tier: endpoint or pipeline")
	fs.StringVar(&f.spec.Since, "since", "", "only dead-lettered since: a duration (1h) or an RFC 3339 time")
}

func newDLQListCmd(target *dlqTarget) *cobra.Command {
	var filters filterFlags
	var asJSON bool
	var limit int
	var cursor string
	cmd := &cobra.Command{
		Use:   "ls [--limit N] [--cursor C]",
		Short: "List dead letters, a page at a time (peek only: nothing is removed)",
		Long: `Lists one page of dead letters in message id order. When more follow,
stderr says which --cursor to add (with the same filters) for the next page. Every page
scans the whole DLQ (SQS cannot seek), holding only the page in memory.`,
		Args: flagsOnly(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			f, err := filters.spec.Filter(now)
			if err != nil {
				return err
			}
			ops, err := target.opsReadingWebhooks(cmd.Context(), cmd.ErrOrStderr(), needs{})
			if err != nil {
				return err
			}
			page, err := ops.List(cmd.Context(), f, limit, cursor)
			if err != nil {
				return err
			}
			if asJSON {
				err = writeEntriesJSON(cmd.OutOrStdout(), page.Entries)
			} else {
				err = writeEntriesTable(cmd.OutOrStdout(), page.Entries, page.NextCursor != "", page.Closed, now)
			}
			if err == nil && page.NextCursor != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "more dead letters follow: add --cursor %s (with the same filters)\n", page.NextCursor)
			}
			return err
		},
	}
	filters.add(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	cmd.Flags().IntVar(&limit, "limit", dlq.DefaultPageLimit, fmt.Sprintf("dead letters per page (at most %d)", dlq.MaxPageLimit))
	cmd.Flags().StringVar(&cursor, "cursor", "", "continue a listing where the previous page ended")
	return cmd
}

func newDLQShowCmd(target *dlqTarget) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one dead letter (message id or delivery id): attributes and envelope",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(args[0]) == "" {
				return errors.New("dlq show needs a message id or delivery id (dlv_...), not an empty one")
			}
			ops, err := target.opsReadingWebhooks(cmd.Context(), cmd.ErrOrStderr(), needs{})
			if err != nil {
				return err
			}
			e, err := ops.Show(cmd.Context(), args[0])
			if errors.Is(err, dlq.ErrNotFound) {
				return fmt.Errorf("%s: %w (it may be in flight in a running redrive)", args[0], err)
			}
			if err != nil {
				return err
			}
			return writeEntry(cmd.OutOrStdout(), e)
		},
	}
}

func newDLQRedriveCmd(target *dlqTarget) *cobra.Command {
	var filters filterFlags
	var all, dryRun bool
	cmd := &cobra.Command{
		Use:   "redrive (--all | ID... | filters)",
		Short: "Send dead letters back to their organizations' delivery lanes (attempts reset, same delivery id)",
		RunE: func(cmd *cobra.Command, args []string) error {
			filters.spec.IDs = args
			f, err := selection(filters.spec, all)
			if err != nil {
				return err
			}
			ops, err := target.opsReadingWebhooks(cmd.Context(), cmd.ErrOrStderr(), needs{lanes: true})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			bar := newProgress(out)
			res, err := ops.Redrive(cmd.Context(), f, dryRun, bar.update)
			bar.done()
			switch {
			case err == nil || res.Matched > 0:
				writeRedriveResult(out, res)
			case !dryRun: // stopped in its scan, before any send
				fmt.Fprintln(out, "redriven 0 dead letters: stopped before the DLQ scan ended, so nothing was sent")
			}
			if err != nil {
				return err
			}
			return allFound(f, res.Unmatched)
		},
	}
	filters.add(cmd.Flags())
	cmd.Flags().BoolVar(&all, "all", false, "redrive every dead letter")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only report what would be redriven")
	return cmd
}

func newDLQPurgeCmd(target *dlqTarget) *cobra.Command {
	var filters filterFlags
	var all, yes, dryRun bool
	cmd := &cobra.Command{
		Use:   "purge (--all | ID... | filters) (--dry-run | --yes)",
		Short: "Delete dead letters for good",
		Long: `Deletes dead letters for good, closing each one's item in the tenants' index
first, so their recover does not send it again: it needs the table (--stack, --table
or ` + config.EnvTable + `) and refuses to run without one.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case yes && dryRun:
				return errors.New("--dry-run and --yes cannot be used together: --dry-run shows what purge would delete, --yes deletes it")
			case !yes && !dryRun:
				return errors.New("purge deletes dead letters for good: add --dry-run to see what it would delete, then --yes to confirm")
			}
			filters.spec.IDs = args
			f, err := selection(filters.spec, all)
			if err != nil {
				return err
			}
			ops, err := target.ops(cmd.Context(), cmd.ErrOrStderr(), needs{table: true})
			if err != nil {
				return err
			}
			if dryRun {
				p, err := ops.PreviewPurge(cmd.Context(), f)
				if err != nil {
					return err
				}
				writePurgePreview(cmd.OutOrStdout(), p)
				return allFound(f, p.Unmatched)
			}
			res, err := ops.Purge(cmd.Context(), f)
			fmt.Fprintf(cmd.OutOrStdout(), "purged %s\n", phrase.Count(res.Purged, "dead letter", "dead letters"))
			if err != nil {
				return err
			}
			return allFound(f, res.Unmatched)
		},
	}
	filters.add(cmd.Flags())
	cmd.Flags().BoolVar(&all, "all", false, "purge every dead letter")
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the purge")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only report what would be purged, and whose recover it would take letters from")
	return cmd
}

// allFound fails a command given ids (message or delivery ids, as f
// holds them) of which unmatched selected no dead letter, naming them, as
// show does for one: a mistyped id, or one already redriven or purged,
// must not read as done.
func allFound(f dlq.Filter, unmatched []string) error {
	if len(unmatched) == 0 {
		return nil
	}
	given := len(slices.Compact(slices.Sorted(slices.Values(f.IDs))))
	return fmt.Errorf("%s of %d matched no dead letter (mistyped, already redriven or purged, or in flight in a running redrive): %s",
		phrase.Count(len(unmatched), "id", "ids"), given, strings.Join(unmatched, ", "))
}

// selection refuses to act on everything by omission.
func selection(spec dlq.FilterSpec, all bool) (dlq.Filter, error) {
	f, err := dlq.Select(spec, all, time.Now())
	if errors.Is(err, dlq.ErrNoSelection) {
		return f, fmt.Errorf("%w: pass --all, message ids, or filters (--org, --webhook, --reason, --tier, --since)", err)
	}
	return f, err
}
