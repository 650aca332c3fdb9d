package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// envListenSecret holds the receiver's signing secret. It is the form the
// README shows: a --secret value is visible to every user of the machine in
// the process list and stays in the shell's history.
const envListenSecret = "HOOKRELAY_LISTEN_SECRET"

// secretFromStdin is the --secret value that reads the secret from stdin.
const secretFromStdin = "-"

// errEmptyListenSecret: the variable is set but empty, as the README's
// step 3 leaves it when step 2's response held no signing secret.
var errEmptyListenSecret = errors.New(envListenSecret + " is set but empty: did registering the endpoint print a signing_secret? (the README's step 2 saves its response in webhook.json)")

var errNoListenSecret = errors.New("no signing secret: set " + envListenSecret +
	", or pass --secret - and write it to stdin (--secret whsec_... also works, but is visible in the process list)")

// listenSecret picks the secret: the flag when given ("-": the first line
// of stdin), otherwise the environment variable.
func listenSecret(ctx context.Context, flag string, stdin io.Reader, lookupEnv func(string) (string, bool)) (string, error) {
	switch flag {
	case "":
		v, set := lookupEnv(envListenSecret)
		if s := strings.TrimSpace(v); s != "" {
			return s, nil
		}
		if set {
			return "", errEmptyListenSecret
		}
		return "", errNoListenSecret
	case secretFromStdin:
		line, err := readLine(ctx, stdin)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the signing secret from stdin: %w", err)
		}
		if s := strings.TrimSpace(line); s != "" {
			return s, nil
		}
		return "", errors.New("--secret -: stdin held no signing secret")
	}
	return flag, nil
}

// readLine reads r's first line, or gives up when ctx ends (the operator's
// Ctrl-C while the CLI waits for a secret nobody typed); the read itself
// cannot be interrupted, and ends with the process.
func readLine(ctx context.Context, r io.Reader) (string, error) {
	type read struct {
		line string
		err  error
	}
	got := make(chan read, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		got <- read{line, err}
	}()
	select {
	case g := <-got:
		return g.line, g.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
