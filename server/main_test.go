package server

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: servers are closed by
// startServer's cleanup, clients by dial's.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
