package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
)

func init() { rootCmd.AddCommand(newPortalCmd()) }

// newPortalCmd builds `hookrelay portal`: what the deploying team's backend
// does for its user, done for a developer against `make dev`.
func newPortalCmd() *cobra.Command {
	var org, apiURL, token string
	cmd := &cobra.Command{
		Use:   "portal --org ORG",
		Short: "Print a tenant portal sign-in URL for an organization",
		Long: "Asks the API for a portal session (POST /api/v1/organization/portal-sessions) and prints its URL: " +
			"open it in a browser within 5 minutes; it works once. By default it signs a dev token for --org and calls the " +
			"running `make dev` at http://$" + config.EnvAddr + "; pass --api and --token to use a deployed stack.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load()
			if err != nil {
				return err
			}
			if token == "" {
				if org == "" {
					return errors.New("--org is required (or pass --token)")
				}
				if token, err = devToken(cfg, org, false, 5*time.Minute); err != nil {
					return err
				}
			}
			if apiURL == "" {
				apiURL = "http://" + cfg.Addr
			}
			url, err := requestPortalSession(strings.TrimSuffix(apiURL, "/"), token)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), url)
			return err
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "organization whose webhooks the portal shows (signs a dev token)")
	cmd.Flags().StringVar(&apiURL, "api", "", "API root URL (default http://$"+config.EnvAddr+", the running make dev)")
	cmd.Flags().StringVar(&token, "token", "", "bearer token to use instead of a dev token (a deployed stack)")
	return cmd
}

func requestPortalSession(apiURL, token string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, apiURL+"/api/v1/organization/portal-sessions", bytes.NewReader([]byte("{}")))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 15 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w (is `make dev` running?)", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", err
	}
	var out struct {
		URL   string `json:"url"`
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("the API answered %s with a body that is not JSON", res.Status)
	}
	if res.StatusCode != http.StatusCreated || out.URL == "" {
		return "", fmt.Errorf("the API answered %s: %s: %s", res.Status, out.Error.Code, out.Error.Message)
	}
	return out.URL, nil
}
