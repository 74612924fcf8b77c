package sql_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// sluice.import_claim, as several workers call it at once (each in its own transaction): a
// Client runs at most p_per_client inputs, the next claim goes to the client with the fewest
// running, a slot tried in vain is given back, and the operator's inputs have no limit.
func TestImportClaimFair(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	create := func(client any, id string, inputs int) {
		t.Helper()
		request := `{"id":"` + id + `","inputs":[`
		for i := range inputs {
			if i > 0 {
				request += ","
			}
			request += `{"resourceType":"Patient","url":"http://files.local/p.ndjson"}`
		}
		if _, err := pool.Exec(ctx, `select sluice.import_create('aidbox', $1::jsonb, $2)`, request+"]}", client); err != nil {
			t.Fatal(err)
		}
	}
	create("a", "a1", 3) // inputs 1-3
	create("b", "b1", 1) // input 4
	create(nil, "op", 2) // inputs 5-6, the operator's

	// claim runs sluice.import_claim in a transaction that stays open (a worker loading it) and
	// returns the job of the input it got, or "" when there was none.
	claim := func(perClient int) string {
		t.Helper()
		// Its own connection: the pool has fewer than the workers simulated here.
		conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(ctx) })
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var job *string
		// Claimed once, in a CTE as the workers' query does: in a WHERE clause the volatile
		// function would run once per row.
		if err := tx.QueryRow(ctx, `with claimed as (select sluice.import_claim($1) as key)
			select i.job_id from claimed c join sluice.import_input i on i.key = c.key`, perClient).Scan(&job); errors.Is(err, pgx.ErrNoRows) {
			return ""
		} else if err != nil {
			t.Fatal(err)
		}
		return *job
	}
	// a is oldest; then b and the operator have none running and b's input is older; then the
	// operator (no limit) twice; a's second input waits for its slot.
	for i, want := range []string{"a1", "b1", "op", "op", ""} {
		if got := claim(1); got != want {
			t.Errorf("claim %d: %q, want %q", i+1, got, want)
		}
	}
	// With two slots per client, a's second input runs too.
	if got := claim(2); got != "a1" {
		t.Errorf("claim with 2 per client: %q, want a1", got)
	}
	if held := slotLocks(t, pool); held != 3 {
		t.Errorf("%d slot locks held, want 3 (a twice, b once)", held)
	}
	// Now b has a free slot but no input to take (its one input is running): the slot it took
	// is given back, a has no slot left and the operator no input, so there is nothing to claim.
	if got := claim(2); got != "" {
		t.Errorf("claim with nothing free: %q", got)
	}
	if held := slotLocks(t, pool); held != 3 {
		t.Errorf("%d slot locks held after a claim in vain, want 3", held)
	}
}

// slotLocks counts the slot locks held in the database (sluice.import_claim's two-int advisory
// locks; the one-bigint ones mark the inputs being loaded).
func slotLocks(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `select count(*) from pg_locks where locktype = 'advisory' and objsubid = 2
		and database = (select oid from pg_database where datname = current_database())`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// sluice.load_merge refuses the types that grant or configure access unless told the caller is
// the operator, naming the first line of such a type; sluice.import_create refuses such inputs
// to a Client.
func TestLoadMergeAccessTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	for _, c := range []struct {
		operator bool
		want     string // SQLSTATE, "" for success
	}{{false, "SL403"}, {true, ""}} {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var table string
		if err := tx.QueryRow(ctx, `select sluice.load_stage()`).Scan(&table); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `insert into `+table+` (line_no, resource_type, id, resource) values
			(1, 'Patient', 'p', '{}'), (4, 'AccessPolicy', 'x', '{"engine": "allow"}')`); err != nil {
			t.Fatal(err)
		}
		var counts string
		err = tx.QueryRow(ctx, `select sluice.load_merge(null, false, false, false, null, $1)::text`, c.operator).Scan(&counts)
		var pg *pgconn.PgError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("operator: %v", err)
		case c.want != "" && (!errors.As(err, &pg) || pg.Code != c.want || pg.Message !=
			"line 4: AccessPolicy resources grant or configure access; only the operator may load them"):
			t.Errorf("client: %v, want %s naming line 4", err, c.want)
		}
		tx.Rollback(ctx)
	}
	_, err := pool.Exec(ctx, `select sluice.import_create('aidbox',
		'{"inputs":[{"resourceType":"Patient","url":"http://x/p"},{"resourceType":"Client","url":"http://x/c"}]}', 'a')`)
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "SL403" || pg.Message != "inputs[1]: Client resources grant or configure access; only the operator may load them" {
		t.Errorf("import_create: %v", err)
	}
}
