// Package pgtest gives tests a real PostgreSQL: one throwaway cluster per test binary (fsync
// off, unix socket only, under /tmp) and, for each test, its own database cloned from a
// template that the migrations built once.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/pgcluster"
	"github.com/sluice-fhir/sluice/migrations"
)

const template = "sluice_template"

var (
	cluster *pgcluster.Cluster
	counter atomic.Int64
)

// Main starts the cluster, migrates the template database, runs the tests and removes the
// cluster. Call it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sluice-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The postgres user must be able to enter the folder when the tests run as root.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	cluster, err = pgcluster.Start(ctx, filepath.Join(dir, "pg"), pgcluster.Options{Throwaway: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cluster.Stop()
	if err := Exec(ctx, "postgres", "create database "+template); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := migrations.Up(cluster.URL(template)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// Cluster is the test binary's cluster.
func Cluster() *pgcluster.Cluster { return cluster }

// Exec runs one statement on a database of the cluster in its own connection.
func Exec(ctx context.Context, dbname, sql string) error {
	conn, err := pgx.Connect(ctx, cluster.URL(dbname))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// NewDatabase creates an empty database (no migrations) and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("empty_%d", counter.Add(1))
	if err := Exec(context.Background(), "postgres", "create database "+name); err != nil {
		t.Fatal(err)
	}
	return cluster.URL(name)
}

// NewMigratedDatabase creates a database with the full current schema and returns its URL.
func NewMigratedDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d", counter.Add(1))
	if err := Exec(context.Background(), "postgres", fmt.Sprintf("create database %s template %s", name, template)); err != nil {
		t.Fatal(err)
	}
	return cluster.URL(name)
}

// NewPool is NewMigratedDatabase with a connection pool that the test closes at its end.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), NewMigratedDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// SchemaDump is `pg_dump --schema-only` of a database of the cluster, without owners,
// privileges, golang-migrate's bookkeeping table and the lines that vary from run to run,
// so two databases built the same way dump the same text.
func SchemaDump(t testing.TB, dbURL string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(pgcluster.DefaultBinDir, "pg_dump"), "--schema-only", "--no-owner",
		"--no-privileges", "--exclude-table=public.schema_migrations", "--dbname="+dbURL).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("pg_dump: %v: %s", err, exit.Stderr)
		}
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(out), "\n") {
		// \restrict and \unrestrict carry a random key that changes with every run.
		if strings.HasPrefix(line, "-- Dumped from") || strings.HasPrefix(line, "-- Dumped by") ||
			strings.HasPrefix(line, `\restrict `) || strings.HasPrefix(line, `\unrestrict `) {
			continue
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n")
}
