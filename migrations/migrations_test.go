package migrations_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/golang-migrate/migrate/v4"

	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

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
