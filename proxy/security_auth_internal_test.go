package proxy

import (
	"fmt"
	"testing"
)

// Item 14: the failure records and the credential cache stay within their bounds however many
// client ids and addresses an attacker tries.
func TestAuthBookkeepingIsBounded(t *testing.T) {
	t.Parallel()
	g := newAuthGuard(Config{AuthMaxFailures: 1}.WithDefaults())
	for i := range authFailureEntries + 500 {
		g.failed(failureKey{clientID: fmt.Sprintf("guess-%d", i), addr: "127.0.0.1"})
		g.succeededAs(failureKey{}, g.credential(fmt.Sprintf("client-%d", i), "secret"), "fingerprint")
	}
	if n := g.failures.Len(); n > authFailureEntries {
		t.Errorf("%d failure records, bound %d", n, authFailureEntries)
	}
	if n := g.cache.Len(); n > authCacheEntries {
		t.Errorf("%d cached credentials, bound %d", n, authCacheEntries)
	}
	// The most recent attempt is still blocked.
	if g.blocked(failureKey{clientID: fmt.Sprintf("guess-%d", authFailureEntries+499), addr: "127.0.0.1"}) <= 0 {
		t.Error("the latest failing attempt is not blocked")
	}
}
