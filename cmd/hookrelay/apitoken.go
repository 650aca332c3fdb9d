package main

import (
	"context"
	"errors"
	"io"
)

// envToken holds a deployed stack's bearer token for the tenant-API
// commands. It is, with --token -, the form the README shows: a --token
// value is visible to every user of the machine in the process list and
// stays in the shell's history, and the token acts for its organization
// until it expires.
const envToken = "HOOKRELAY_TOKEN"

// tokenInput: the variable set but empty is a command substitution that
// found no token; signing a dev token instead would hide that.
var tokenInput = secretInput{flag: "--token", env: envToken, what: "token",
	emptyEnv: errors.New("$" + envToken + " is set but empty: give it the deployed stack's token, or unset it to have the CLI sign a dev token for --org")}

// giveAToken says, in errors, how to give a token: the safe forms only.
const giveAToken = "set $" + envToken + " (or pass --token - and write it to stdin)"

// readToken fills a.token: --token's value when given ("-": the first
// line of stdin), else $HOOKRELAY_TOKEN's, else none (a dev token for
// --org follows). The flag wins, so one command can use another token
// than the shell's. An empty --token ("$UNSET") is refused rather than
// read as absent.
func (a *apiTarget) readToken(ctx context.Context, stdin io.Reader, lookupEnv func(string) (string, bool)) error {
	if a.flags != nil {
		if err := refuseEmptyFlags(a.flags, "token"); err != nil {
			return err
		}
	}
	flag := a.token
	tok, err := tokenInput.read(ctx, flag, stdin, lookupEnv)
	if err != nil {
		return err
	}
	a.token, a.tokenFrom = tok, "--token"
	switch {
	case tok == "":
		a.tokenFrom = ""
	case flag == "":
		a.tokenFrom = "$" + envToken
	case flag == fromStdin:
		a.tokenFrom = "--token " + fromStdin
	}
	return nil
}
