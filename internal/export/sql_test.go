package export

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/internal/status"
)

// DumpSQL on its own: a query run as a role made for it, into a plain writer opened only once
// the query is known to return rows; the role is gone afterwards.
func TestDumpSQLIntoAWriter(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := gen.New()
	if _, err := q.ResourcesPut(ctx, pool, []byte(`[{"resourceType":"Patient","id":"a"}]`)); err != nil {
		t.Fatal(err)
	}
	readers := func() (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, `select count(*) from pg_auth_members as m join pg_roles as r on r.oid = m.roleid
			where r.rolname = $1`, DumpSQLRole).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := readers()
	cfg := DumpSQLConfig{Timeout: 10 * time.Second, MaxRowBytes: 1 << 20, MaxBytes: -1}
	var out bytes.Buffer
	opened := 0
	open := func() io.Writer { opened++; return &out }

	// Trailing semicolons go; the session is a member of the reader group, not the pool's user.
	err := DumpSQL(ctx, pool, q, cfg, " select id, pg_has_role(session_user, 'sluice_reader', 'member') as reader, session_user = current_user as same from patient ;; ",
		DumpSQLFormatOf("csv"), open)
	if err != nil || opened != 1 || out.String() != "id,reader,same\na,t,t\n" {
		t.Errorf("csv: %v, opened %d, %q", err, opened, out.String())
	}
	if n := readers(); n != before {
		t.Errorf("%d members of %s after the run, %d before: the request's role stays", n, DumpSQLRole, before)
	}

	// A statement without rows is refused before anything is opened, and changes nothing.
	out.Reset()
	opened = 0
	err = DumpSQL(ctx, pool, q, cfg, "delete from patient", DumpSQLFormatOf(""), open)
	var se *status.Error
	if !errors.As(err, &se) || se.Code != http.StatusBadRequest || opened != 0 {
		t.Errorf("delete: %v, opened %d", err, opened)
	}
	if err := DumpSQL(ctx, pool, q, cfg, "select count(*) from patient", DumpSQLFormatOf("tsv"), open); err != nil || out.String() != "1\n" {
		t.Errorf("after the delete: %v, %q", err, out.String())
	}
	out.Reset()

	// The result limit cuts the result and says why.
	cfg.MaxBytes = 10
	err = DumpSQL(ctx, pool, q, cfg, "select repeat('x', 100)", DumpSQLFormatOf("tsv"), open)
	if !errors.As(err, &se) || se.Code != http.StatusUnprocessableEntity || out.Len() > 10 {
		t.Errorf("over MaxBytes: %v, %d bytes written", err, out.Len())
	}
}
