package main

import (
	"context"
	"errors"
	"io"
)

// envListenSecret holds the receiver's signing secret. It is the form the
// README shows: a --secret value is visible to every user of the machine in
// the process list and stays in the shell's history.
const envListenSecret = "HOOKRELAY_LISTEN_SECRET"

// listenSecretInput: the variable set but empty is how the README's step 3
// leaves it when step 2's response held no signing secret.
var listenSecretInput = secretInput{flag: "--secret", env: envListenSecret, what: "signing secret",
	emptyEnv: errors.New(envListenSecret + " is set but empty: did registering the endpoint print a signing_secret? (the README's step 2 saves its response in webhook.json)")}

var errNoListenSecret = errors.New("no signing secret: set " + envListenSecret +
	", or pass --secret - and write it to stdin (--secret whsec_... also works, but is visible in the process list)")

// listenSecret picks the secret: the flag when given ("-": the first line
// of stdin), otherwise the environment variable; listen needs one.
func listenSecret(ctx context.Context, flag string, stdin io.Reader, lookupEnv func(string) (string, bool)) (string, error) {
	s, err := listenSecretInput.read(ctx, flag, stdin, lookupEnv)
	if err == nil && s == "" {
		err = errNoListenSecret
	}
	return s, err
}
