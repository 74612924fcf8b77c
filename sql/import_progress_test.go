package sql_test

import (
	"context"
	"testing"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// sluice.import_progress, written from outside the loading transaction, is the running count
// sluice.import_status shows for an input while its backend loads it, and only then.
func TestImportProgress(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := pool.Exec(ctx, `select sluice.import_create('aidbox',
		'{"id":"j","inputs":[{"resourceType":"Patient","url":"http://files.local/p.ndjson"}]}', null)`); err != nil {
		t.Fatal(err)
	}
	total := func() any {
		t.Helper()
		var v any
		if err := pool.QueryRow(ctx, `select sluice.import_status('j', null) #> '{inputs,0,total}'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	worker, err := pool.Begin(ctx) // the loading transaction
	if err != nil {
		t.Fatal(err)
	}
	var key int64
	if err := worker.QueryRow(ctx, `select sluice.import_claim(null)`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	pid := worker.Conn().PgConn().PID()
	if got := total(); got != float64(0) {
		t.Errorf("total %v before any progress, want 0", got)
	}
	if _, err := pool.Exec(ctx, `select sluice.import_progress($1, $2, 42)`, key, pid); err != nil {
		t.Fatal(err)
	}
	if got := total(); got != float64(42) {
		t.Errorf("total %v after progress 42, want 42", got)
	}
	// Progress recorded for another backend is not this load's.
	if _, err := pool.Exec(ctx, `select sluice.import_progress($1, $2, 7)`, key, pid+1); err != nil {
		t.Fatal(err)
	}
	if got := total(); got != float64(0) {
		t.Errorf("total %v with another backend's progress, want 0", got)
	}
	worker.Rollback(ctx)
	if got := total(); got != nil {
		t.Errorf("total %v once no backend loads the input, want none", got)
	}
}
