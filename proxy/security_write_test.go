package proxy_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// Issue 11 item 11: concurrent PUTs of one new id all succeed (create or replace), none gets a
// 409 from the race on the primary key, and every version but the last is in history.
func TestConcurrentPutOfANewID(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, proxy.Config{})
	const writers = 16
	for round := range 5 {
		id := fmt.Sprintf("race-%d", round)
		var wg sync.WaitGroup
		statuses := make([]int, writers)
		bodies := make([]string, writers)
		for i := range writers {
			wg.Go(func() {
				resp, body := ts.do(request{method: "PUT", path: "/Patient/" + id, body: fmt.Sprintf(`{"name":[{"given":["W%d"]}]}`, i)})
				statuses[i], bodies[i] = resp.StatusCode, string(body)
			})
		}
		wg.Wait()
		created := 0
		for i, status := range statuses {
			switch status {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("%s writer %d: %d: %s", id, i, status, bodies[i])
			}
		}
		if created != 1 {
			t.Errorf("%s: %d writers were told they created it, want 1", id, created)
		}
		if n := ts.count(fmt.Sprintf("select count(*) from patient_history where id = '%s'", id)); n != writers-1 {
			t.Errorf("%s: %d history rows, want %d", id, n, writers-1)
		}
	}
}
