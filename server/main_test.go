package server

import (
	"sessiond/storage"

	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: servers are closed by
// startServer's cleanup, clients by dial's.
func TestMain(m *testing.M) {
	// a command that makes several effects must group them (Tx.Group)
	storage.CheckGroups = true
	goleak.VerifyTestMain(m)
}
