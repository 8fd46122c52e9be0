package session

import (
	"crypto/rand"
	"encoding/base64"
)

// IDBytes is the random bytes in an ID: 128 bits.
const IDBytes = 16

// NewID returns a new session ID: IDBytes from crypto/rand, URL-safe base64
// without padding (22 characters). The caller checks that no session
// holds it yet.
func NewID() string {
	var b [IDBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
