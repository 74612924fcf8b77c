package main

// The database sluice serves: DATABASE_URL, or else the embedded cluster in the data folder.

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/internal/pgcluster"
)

// database returns the URL of the database to use and a function that releases it: with
// DATABASE_URL that database, else the embedded cluster (started here, stopped by release).
func database(ctx context.Context, cfg config.Config) (url string, release func(), err error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, func() {}, nil
	}
	dataDir := cfg.DataDir
	// Others must be able to enter the data folder: the cluster inside runs as postgres.
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", nil, err
	}
	if err := os.Chmod(dataDir, 0o755); err != nil {
		return "", nil, err
	}
	cluster, err := pgcluster.Start(ctx, filepath.Join(dataDir, "pg"), pgcluster.Options{
		BinDir: cfg.PGBin,
		Settings: map[string]string{
			"shared_buffers":       "1GB",
			"max_wal_size":         "4GB",
			"maintenance_work_mem": "256MB",
		},
	})
	if err != nil {
		return "", nil, err
	}
	slog.Info("embedded PostgreSQL started", "dir", cluster.Dir())
	release = func() {
		if err := cluster.Stop(); err != nil {
			slog.Error("stopping the embedded PostgreSQL", "err", err)
		} else {
			slog.Info("embedded PostgreSQL stopped")
		}
	}
	if err := createDatabase(ctx, cluster, "sluice"); err != nil {
		release()
		return "", nil, err
	}
	return cluster.URL("sluice"), release, nil
}

// createDatabase creates the embedded cluster's database the first time.
func createDatabase(ctx context.Context, cluster *pgcluster.Cluster, name string) error {
	conn, err := pgx.Connect(ctx, cluster.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "select exists (select from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		_, err = conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize())
	}
	return err
}
