package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// fromStdin is the value of a secret's flag that reads it from stdin.
const fromStdin = "-"

// secretInput is a secret the CLI takes from an environment variable, from
// stdin (flag "-") or from its flag: a flag's value is visible to every
// user of the machine in the process list and stays in the shell's
// history, so the first two are the forms the README shows.
type secretInput struct {
	flag, env string // "--secret", "HOOKRELAY_LISTEN_SECRET"
	what      string // "signing secret", for the help and the errors
	// emptyEnv is the error for the variable set but blank: a command
	// substitution that found nothing, rather than no secret meant.
	emptyEnv error
}

// read picks the secret: the flag's value when given ("-": the first line
// of stdin, trimmed), otherwise the variable's (trimmed). Neither gives ""
// and no error. An error never holds the secret.
func (s secretInput) read(ctx context.Context, flag string, stdin io.Reader, lookupEnv func(string) (string, bool)) (string, error) {
	switch flag {
	case "":
		v, set := lookupEnv(s.env)
		if v = strings.TrimSpace(v); v != "" {
			return v, nil
		}
		if set {
			return "", s.emptyEnv
		}
		return "", nil
	case fromStdin:
		line, err := readLine(ctx, stdin)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the %s from stdin: %w", s.what, err)
		}
		if v := strings.TrimSpace(line); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s %s: stdin held no %s", s.flag, fromStdin, s.what)
	}
	return flag, nil
}

// usage is the flag's help: what it takes, then the other sources.
func (s secretInput) usage(what string) string {
	return what + `; "` + fromStdin + `" reads it from stdin (default $` + s.env + `; a value here is visible in the process list)`
}

// sources is the sentence of a command's help that says where the secret
// comes from and why the flag's value is the last choice.
func (s secretInput) sources(example string) string {
	return "The " + s.what + " comes from $" + s.env + ", or from stdin with " + s.flag + " " + fromStdin +
		", or from " + s.flag + " " + example + " (visible to other users in the process list and kept in shell history: prefer the other two)."
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
