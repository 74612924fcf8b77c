// Package migrations holds the versioned SQL history a DBA deploys (golang-migrate format:
// NNNNNN_name.up.sql / .down.sql), embedded in the binary, and runs it.
//
// These files are the only SQL source: 000003 and 000004 are written by cmd/fhirgen from the
// FHIR definitions (`make generate`), and 000005 compiles the format conversion from 000004's
// rows inside PostgreSQL, so golang-migrate alone (this package or its CLI) builds the whole
// database. `make schema` dumps the result for reading.
package migrations

import (
	"embed"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // the pgx5:// driver
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed *.sql
var files embed.FS

// New returns a migrator for the database at databaseURL (a postgres:// or postgresql:// URL).
// golang-migrate's pgx driver takes a session advisory lock, so servers starting at once
// migrate one after the other.
func New(databaseURL string) (*migrate.Migrate, error) {
	src, err := iofs.New(files, ".")
	if err != nil {
		return nil, err
	}
	scheme, rest, ok := strings.Cut(databaseURL, "://")
	if !ok || (scheme != "postgres" && scheme != "postgresql") {
		return nil, fmt.Errorf("DATABASE_URL must be a postgres:// URL")
	}
	return migrate.NewWithSourceInstance("iofs", src, "pgx5://"+rest)
}

// Up migrates the database to the newest version. A database already there is fine.
func Up(databaseURL string) error {
	m, err := New(databaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrating up: %w", err)
	}
	return nil
}
