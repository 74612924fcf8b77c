// Command sluice is the sluice server and its migration tool.
//
//	sluice serve                       run the HTTP API (migrates the database up first)
//	sluice migrate up                  apply every pending migration
//	sluice migrate down N | -all       undo N migrations, or all of them
//	sluice migrate goto V              migrate up or down to version V
//	sluice migrate version             print the current version (and whether it is dirty)
//	sluice migrate force V             mark version V clean after fixing a failed migration by hand
//
// With DATABASE_URL set it uses that database; without it, a private PostgreSQL cluster in
// the data folder (SLUICE_DATA, default ./.sluice), started and stopped by sluice itself.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/golang-migrate/migrate/v4"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/internal/pgcluster"
	"github.com/sluice-fhir/sluice/internal/source"
	"github.com/sluice-fhir/sluice/migrations"
	"github.com/sluice-fhir/sluice/proxy"
)

// usage is the commands and, made from the settings table, the environment.
var usage = `usage:
  sluice serve
  sluice migrate up | down N | down -all | goto V | version | force V
  sluice help            this text (also -h after any command)

environment:
` + config.Usage()

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if wantsHelp(os.Args[1:]) {
		fmt.Print(usage)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx)
	case "migrate":
		err = migrateCommand(ctx, os.Args[2:])
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice:", err)
		os.Exit(1)
	}
}

// wantsHelp: `sluice help`, or -h/--help/-help anywhere (`sluice serve -h` must print the usage,
// not start a server).
func wantsHelp(args []string) bool {
	if len(args) > 0 && args[0] == "help" {
		return true
	}
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

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

func serve(ctx context.Context) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	if err := source.ValidateAllow(cfg.Server.SourceAllow); err != nil {
		return err
	}
	if cfg.Server.SourceAllowPrivate {
		slog.Warn("SLUICE_SOURCE_ALLOW_PRIVATE=true: $load and $import may fetch from loopback, private and link-local addresses (this server, its network, cloud metadata); for local use only")
	}
	if cfg.Server.AdminSecret, err = adminSecret(cfg.Server.AdminSecret, cfg.DataDir); err != nil {
		return err
	}
	url, release, err := database(ctx, cfg)
	if err != nil {
		return err
	}
	defer release()
	if err := migrations.Up(url); err != nil {
		return err
	}
	poolConfig, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	poolConfig.MaxConns = int32(cfg.DBConnections)
	pool, err := pgxpool.NewWithConfig(ctx, poolConfig)
	if err != nil {
		return err
	}
	defer pool.Close()

	api := proxy.New(pool, cfg.Server)
	defer api.Close()
	workersCtx, stopWorkers := context.WithCancel(ctx)
	waitWorkers := api.StartImportWorkers(workersCtx)
	defer waitWorkers()
	defer stopWorkers()
	server := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 30 * time.Second,
	}
	listener, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	slog.Info("sluice serving", "url", "http://"+listener.Addr().String(), "admin", cfg.Server.AdminID)
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		server.Close()
	}
	return nil
}

// adminSecret is the configured secret (SLUICE_ADMIN_SECRET), or a secret generated once and
// kept in the data folder (mode 0600), whose path is printed so the operator can read it.
func adminSecret(configured, dataDir string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := filepath.Join(dataDir, "admin-secret")
	if data, err := os.ReadFile(path); err == nil {
		slog.Info("operator secret", "file", path)
		return strings.TrimSpace(string(data)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	random := make([]byte, 24)
	rand.Read(random)
	secret := hex.EncodeToString(random)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", err
	}
	slog.Info("generated the operator secret", "file", path)
	return secret, nil
}

func migrateCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	url, release, err := database(ctx, cfg)
	if err != nil {
		return err
	}
	defer release()
	m, err := migrations.New(url)
	if err != nil {
		return err
	}
	defer m.Close()
	number := func() (int, error) {
		if len(args) != 2 {
			return 0, fmt.Errorf("migrate %s needs a number", args[0])
		}
		return strconv.Atoi(args[1])
	}
	switch args[0] {
	case "up":
		err = m.Up()
	case "down":
		if len(args) == 2 && args[1] == "-all" {
			err = m.Down()
		} else if n, nerr := number(); nerr != nil {
			return errors.New("migrate down needs N (how many) or -all")
		} else {
			err = m.Steps(-n)
		}
	case "goto":
		n, nerr := number()
		if nerr != nil {
			return nerr
		}
		err = m.Migrate(uint(n))
	case "force":
		n, nerr := number()
		if nerr != nil {
			return nerr
		}
		err = m.Force(n)
	case "version":
	default:
		return errors.New(usage)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	version, dirty, err := m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
		fmt.Println("version: none (empty database)")
	case err != nil:
		return err
	case dirty:
		fmt.Printf("version: %d (dirty: the last migration failed part-way; fix the database, then `sluice migrate force %d`)\n", version, version)
	default:
		fmt.Printf("version: %d\n", version)
	}
	return nil
}
