// Command outboxcode is the --code-command of the conform tests in internal/cli: it
// prints the newest code in an authbench emulator's outbox for the pool and user that
// `authbench conform` names in AUTHBENCH_POOL_ID and AUTHBENCH_USERNAME (and, when
// set, AUTHBENCH_PURPOSE), sent at or after AUTHBENCH_AFTER.
//
// Usage: outboxcode EMULATOR_URL
//
// It lives under testdata so `go build ./...` leaves it alone; the tests build it.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

type message struct {
	Time time.Time `json:"time"`
	Code string    `json:"code"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: outboxcode EMULATOR_URL")
		os.Exit(2)
	}
	code, err := fetch(strings.TrimRight(os.Args[1], "/"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "outboxcode:", err)
		os.Exit(1)
	}
	fmt.Println(code)
}

// fetch polls the outbox for up to 10 s: the code is normally there at once, since
// the emulator sends it before it answers the call that triggers it.
func fetch(endpoint string) (string, error) {
	pool, user := os.Getenv("AUTHBENCH_POOL_ID"), os.Getenv("AUTHBENCH_USERNAME")
	if pool == "" || user == "" {
		return "", fmt.Errorf("AUTHBENCH_POOL_ID and AUTHBENCH_USERNAME must be set")
	}
	var after time.Time
	if s := os.Getenv("AUTHBENCH_AFTER"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "", fmt.Errorf("AUTHBENCH_AFTER: %w", err)
		}
		after = t
	}
	q := url.Values{"poolId": {pool}, "username": {user}, "limit": {"1"}}
	if p := os.Getenv("AUTHBENCH_PURPOSE"); p != "" {
		q.Set("purpose", p)
	}
	u := endpoint + "/_authbench/outbox?" + q.Encode()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := get(client, u)
		if err != nil {
			return "", err
		}
		if len(msgs) > 0 && !msgs[0].Time.Before(after) && msgs[0].Code != "" {
			return msgs[0].Code, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no code for %s in pool %s", user, pool)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(client *http.Client, u string) ([]message, error) {
	resp, err := client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET outbox: %s", resp.Status)
	}
	var page struct {
		Messages []message `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("outbox answer: %w", err)
	}
	return page.Messages, nil
}
