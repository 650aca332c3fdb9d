package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

func init() { rootCmd.AddCommand(newTokenCmd()) }

// newTokenCmd builds `hookrelay token`. A constructor (not package-level
// flag variables) so tests get fresh flags on every run.
func newTokenCmd() *cobra.Command {
	var (
		org      string
		operator bool
		ttl      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "token --org ORG [--operator] [--ttl 24h]",
		Short: "Print a JWT the local API (hookrelay dev) accepts",
		Long: "Signs a token with the dev key: the file $" + devauth.EnvDevKeyFile + " names (make dev creates it on its " +
			"first start), else dev-jwt.key in the data folder ($HOOKRELAY_DATA_DIR, else .hookrelay); using the org and operator claim names from HOOKRELAY_* configuration. Only the token is printed, " +
			"so it can be captured: TOKEN=$(hookrelay token --org org_abc).",
		Args: flagsOnly("--org"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load()
			if err != nil {
				return err
			}
			tok, err := devToken(cfg, org, operator, ttl)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), tok)
			return err
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "organization id the token acts for (required)")
	cmd.Flags().BoolVar(&operator, "operator", false, "grant the operator role (admin API)")
	cmd.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "token lifetime")
	_ = cmd.MarkFlagRequired("org")
	return cmd
}

// devToken signs a token the local API accepts, with the key
// $HOOKRELAY_DEV_JWT_KEY_FILE names, else the one in the folder
// `hookrelay dev` keeps it in ($HOOKRELAY_DATA_DIR or .hookrelay).
func devToken(cfg config.Config, org string, operator bool, ttl time.Duration) (string, error) {
	key, err := devauth.SigningKey(devstate.DataDir)
	if err != nil {
		return "", err
	}
	return devauth.NewDevJWT(key, cfg).Issue(org, operator, ttl)
}
