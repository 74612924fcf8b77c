package proxy_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/proxy"
)

// A job queued straight in SQL (as a psql user or another server queues one, so this server's
// own wake-up does not fire) is loaded at once: the table's notification wakes the idle
// worker, long before its 30 s re-check.
func TestImportWakesOnNotify(t *testing.T) {
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{ImportWorkers: 1})
	url := src.add("/notify.ndjson", lines(`{"id":"n1"}`))
	time.Sleep(time.Second) // the worker has looked once and is idle; the listener listens
	started := time.Now()
	if _, err := ts.Pool.Exec(context.Background(), `select sluice.import_create('aidbox', $1::jsonb, null)`,
		fmt.Sprintf(`{"id":"n","inputs":[{"resourceType":"Patient","url":%q}]}`, url)); err != nil {
		t.Fatal(err)
	}
	status := waitImport(t, ts, "n")
	if status["status"] != "finished" {
		t.Fatalf("status %v", status)
	}
	if waited := time.Since(started); waited > 10*time.Second {
		t.Errorf("the input was loaded %v after it was queued: no worker woke", waited)
	}
}
