// Command authbench tests and loads Amazon Cognito user-pool sign-in: it drives the
// Amplify signIn / confirmSignIn state machine, asserts every nextStep branch, runs
// open-loop SRP sign-in benchmarks and serves a Cognito-compatible pool on 127.0.0.1.
// Run "authbench --help" for the commands.
package main

import (
	"context"
	"crypto/rand"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/authbench/authbench/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Now:    time.Now,
		Random: rand.Reader,
	}, os.Args[1:])
	stop()
	os.Exit(code)
}
