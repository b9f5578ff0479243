package srp_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/authbench/authbench/srp"
)

// Example runs one USER_SRP_AUTH handshake with both halves in one place: the pool
// keeps a verifier, the client sends SRP_A, the pool answers PASSWORD_VERIFIER, and the
// client's signature verifies. Fixed random streams make it reproducible; real code
// passes crypto/rand.Reader.
func Example() {
	realm, _ := srp.PoolName("us-east-1_ExAmPle12")
	salt := bytes.Repeat([]byte{0x80}, 16)
	verifier := srp.MakeVerifier(salt, realm, "alice", "Passw0rd!")

	client, _ := srp.NewClient(bytes.NewReader(bytes.Repeat([]byte{0x11}, srp.ClientSecretBytes)))
	server, _ := srp.NewServer(bytes.NewReader(bytes.Repeat([]byte{0x22}, srp.ServerSecretBytes)), verifier)

	challenge := srp.Challenge{
		Realm: realm, UserID: "alice",
		Salt: verifier.SaltHex(), B: server.SRPB(),
		SecretBlock: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	}
	resp, _ := client.Respond(challenge, "Passw0rd!", time.Date(2024, 3, 5, 7, 4, 9, 0, time.UTC))
	fmt.Println(resp.Timestamp)

	err := server.Verify(srp.Proof{
		Realm: realm, UserID: "alice", A: client.SRPA(),
		SecretBlock: resp.SecretBlock, Timestamp: resp.Timestamp, Signature: resp.Signature,
	})
	fmt.Println("verified:", err == nil)

	wrong, _ := client.Respond(challenge, "passw0rd!", time.Date(2024, 3, 5, 7, 4, 9, 0, time.UTC))
	err = server.Verify(srp.Proof{
		Realm: realm, UserID: "alice", A: client.SRPA(),
		SecretBlock: wrong.SecretBlock, Timestamp: wrong.Timestamp, Signature: wrong.Signature,
	})
	fmt.Println(err)
	// Output:
	// Tue Mar 5 07:04:09 UTC 2024
	// verified: true
	// srp: password claim signature does not verify
}

// ExampleAppClient_SecretHash computes SECRET_HASH for a client with a secret.
func ExampleAppClient_SecretHash() {
	c := srp.AppClient{ID: "1example23456789", Secret: "s3cr3t"}
	fmt.Println(c.SecretHash("alice"))
	fmt.Println(c) // the secret never prints
	// Output:
	// IMpPuFOEIbgZyOCkK5ZvTY2hXdhUUff9Wz0ungvQbF8=
	// AppClient{ID:1example23456789 Secret:[redacted]}
}
