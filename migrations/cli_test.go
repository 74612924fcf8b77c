package migrations_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/migrations"
)

// migrateCLI is the golang-migrate CLI at go.mod's version, built by `make migrate-cli`
// (which `make test` depends on).
func migrateCLI(t *testing.T) string {
	t.Helper()
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/golang-migrate/migrate/v4 (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require golang-migrate")
	}
	path, err := filepath.Abs("../.tools/bin/migrate-" + string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%v: run `make migrate-cli` (make test does)", err)
	}
	return path
}

// query returns the rows of a query as text, one line per row, to compare two databases.
func query(t *testing.T, url, sql string) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var out string
	if err := conn.QueryRow(context.Background(), "select coalesce(string_agg(r::text, E'\\n'), '') from ("+sql+") r").Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// The migrations folder alone, run by golang-migrate's own CLI, yields the database `sluice
// serve` makes (migrations.Up): generated functions included, since the migrations make them.
func TestMigrateCLIMatchesServe(t *testing.T) {
	cli := migrateCLI(t)
	byCLI := pgtest.NewDatabase(t)
	out, err := exec.Command(cli, "-path", ".", "-database", byCLI, "up").CombinedOutput()
	if err != nil {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	byServe := pgtest.NewDatabase(t)
	if err := migrations.Up(byServe); err != nil {
		t.Fatal(err)
	}
	if got, want := pgtest.SchemaDump(t, byCLI), pgtest.SchemaDump(t, byServe); got != want {
		t.Errorf("the CLI's database differs from migrations.Up's:\n%s", diff(want, got))
	}
	for _, q := range []string{
		"select * from public.schema_migrations",
		"select * from fhir_meta.owner order by name",
		"select * from fhir_meta.element order by owner, position",
		"select * from sluice.resource_type order by 1",
	} {
		if got, want := query(t, byCLI, q), query(t, byServe, q); got != want || want == "" {
			t.Errorf("%s: the CLI's rows differ from migrations.Up's (or are empty):\n%s", q, diff(want, got))
		}
	}
}

// `make schema` runs this to write the readable schema of a fresh migrated database.
func TestWriteSchema(t *testing.T) {
	out := os.Getenv("SLUICE_SCHEMA_OUT")
	if out == "" {
		t.Skip("SLUICE_SCHEMA_OUT is not set: only `make schema` writes the schema dump")
	}
	if err := os.WriteFile(out, []byte(pgtest.SchemaDump(t, pgtest.NewMigratedDatabase(t))), 0o644); err != nil {
		t.Fatal(err)
	}
}
