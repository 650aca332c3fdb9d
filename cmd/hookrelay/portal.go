package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
)

func init() { rootCmd.AddCommand(newPortalCmd()) }

// newPortalCmd builds `hookrelay portal`: what the deploying team's backend
// does for its user, done for a developer against `make dev`.
func newPortalCmd() *cobra.Command {
	var target apiTarget
	cmd := &cobra.Command{
		Use:   "portal --org ORG",
		Short: "Print a tenant portal sign-in URL for an organization",
		Long: "Asks the API for a portal session (POST /api/v1/organization/portal-sessions) and prints its URL: " +
			"open it in a browser within 5 minutes; it works once. By default it signs a dev token for --org and calls the " +
			"running `make dev` (found through its state file, or at http://$" + config.EnvAddr + " when that is set); " +
			"pass --api and a token to use a deployed stack.\n\n" + tokenHelp,
		Args: flagsOnly("--org"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load()
			if err != nil {
				return err
			}
			if err := target.resolve(cmd.Context(), cmd.InOrStdin(), cfg); err != nil {
				return err
			}
			var out struct {
				URL string `json:"url"`
			}
			if err := target.call(cmd.Context(), http.MethodPost, "/api/v1/organization/portal-sessions", struct{}{}, http.StatusCreated, &out); err != nil {
				return err
			}
			if out.URL == "" {
				return errors.New("the API answered without a url")
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), out.URL)
			return err
		},
	}
	target.addFlags(cmd.Flags(), "organization whose webhooks the portal shows (signs a dev token)")
	return cmd
}
