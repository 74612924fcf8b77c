package migrations_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The snapshot every reviewer reads to see the current body of every function and table.
const snapshotPath = "../gen/schema.sql"

// sql/ is the source of truth: a database built from its files, in order, must have exactly
// what the migrations build.
func TestSQLSourceMatchesMigrations(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../sql/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sql/ files: %v", err)
	}
	sort.Strings(files)
	fromSQL := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(context.Background(), fromSQL)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(context.Background(), string(body)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	conn.Close(context.Background())

	want := pgtest.SchemaDump(t, pgtest.NewMigratedDatabase(t))
	if got := pgtest.SchemaDump(t, fromSQL); got != want {
		t.Errorf("the database built from sql/ differs from the one the migrations build:\n%s", diff(want, got))
	}
}

// gen/schema.sql must be the schema the migrations build; `make generate` rewrites it.
func TestSchemaSnapshot(t *testing.T) {
	t.Parallel()
	dump := pgtest.SchemaDump(t, pgtest.NewMigratedDatabase(t))
	if os.Getenv("SLUICE_UPDATE_SNAPSHOT") != "" {
		if err := os.WriteFile(snapshotPath, []byte(dump), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(snapshotPath)
	if err != nil {
		t.Fatalf("%v (run `make generate`)", err)
	}
	if string(want) != dump {
		t.Errorf("%s is stale: run `make generate`\n%s", snapshotPath, diff(string(want), dump))
	}
}

// Up, down to zero and up again: every down file undoes its up file completely.
func TestUpDownToZeroUp(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	empty := pgtest.SchemaDump(t, url)
	m, err := migrations.New(url)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Up(); err != nil {
		t.Fatal("up:", err)
	}
	full := pgtest.SchemaDump(t, url)
	if err := m.Down(); err != nil {
		t.Fatal("down:", err)
	}
	if got := pgtest.SchemaDump(t, url); got != empty {
		t.Errorf("down to zero left objects behind:\n%s", diff(empty, got))
	}
	if err := m.Up(); err != nil {
		t.Fatal("up again:", err)
	}
	if got := pgtest.SchemaDump(t, url); got != full {
		t.Errorf("up after down differs from the first up:\n%s", diff(full, got))
	}
}

// Servers starting at once both migrate; the advisory lock makes one wait for the other.
func TestConcurrentUp(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = migrations.Up(url)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	m, err := migrations.New(url)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	version, dirty, err := m.Version()
	if err != nil || dirty {
		t.Fatalf("version %d dirty %v err %v", version, dirty, err)
	}
	if err := m.Up(); !errors.Is(err, migrate.ErrNoChange) {
		t.Fatalf("a second up should have nothing to do, got %v", err)
	}
	if got := pgtest.SchemaDump(t, url); got != pgtest.SchemaDump(t, pgtest.NewMigratedDatabase(t)) {
		t.Error("concurrent migration built a different schema")
	}
}

// diff shows the first lines where two dumps part.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(same lines)"
}
