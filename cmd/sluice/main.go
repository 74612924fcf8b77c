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

	"github.com/sluice-fhir/sluice/internal/pgcluster"
	"github.com/sluice-fhir/sluice/internal/transfer"
	"github.com/sluice-fhir/sluice/migrations"
	"github.com/sluice-fhir/sluice/proxy"
)

const usage = `usage:
  sluice serve
  sluice migrate up | down N | down -all | goto V | version | force V
  sluice help            this text (also -h after any command)

environment:
  DATABASE_URL           postgres:// URL; unset: a private cluster in the data folder
  SLUICE_DATA            data folder (default ./.sluice): embedded cluster, admin secret
  SLUICE_LISTEN          HTTP listen address (default 127.0.0.1:8080)
  SLUICE_ADMIN_ID        operator client id (default admin)
  SLUICE_ADMIN_SECRET    operator secret (default: generated into <data>/admin-secret)
  SLUICE_MAX_BODY_BYTES  REST body limit in bytes (default 33554432)
  SLUICE_SOURCE_ALLOW    comma-separated URL prefixes $load/$import may fetch, compared by scheme, host,
                         port and whole path segments (default: any public http/https source)
  SLUICE_SOURCE_ALLOW_PRIVATE  true: sources may be on loopback, private or link-local addresses
                         (default false: refused; make run sets it for local use)
  SLUICE_SOURCE_DIR      folder file:// sources may read (default: file:// refused)
  SLUICE_IMPORT_WORKERS  $import inputs loaded at once by this server (default 2)
  SLUICE_IMPORT_PER_CLIENT  $import inputs of one client loaded at once, all servers together
                         (default 1; -1: no limit; the operator's have none)
  SLUICE_LOAD_MAX_BYTES  decompressed bytes of one $load or $import input (default 68719476736, 64 GiB)
  SLUICE_LOAD_MAX_LINES  non-blank lines of one $load or $import input (default 100000000)
  SLUICE_PG_BIN          PostgreSQL programs for the embedded cluster (default /usr/lib/postgresql/15/bin)
  SLUICE_DUMP_SQL_URL    postgres:// URL of where $dump-sql logs in (default: the database's settings);
                         its user and password are not used: each request logs in as a role made for
                         it, a member of sluice_reader
  SLUICE_DUMP_SQL_TIMEOUT  limit on a whole $dump-sql request, query and streaming, e.g. 30s (default 5m)
  SLUICE_DUMP_SQL_MAX_CONCURRENT  $dump-sql queries of all clients at once (default 8; the operator's
                         are not counted)
  SLUICE_DUMP_SQL_PER_CLIENT  $dump-sql queries of one client at once (default 2)
  SLUICE_DUMP_SQL_MAX_ROW_BYTES  largest row of a $dump-sql result in bytes (default 67108864)
  SLUICE_DUMP_SQL_MAX_BYTES  largest $dump-sql result in bytes before compression (default 10737418240;
                         -1: no limit)
  SLUICE_DB_CONNECTIONS  connections for authentication, REST, status and health (default 10)
  SLUICE_BULK_CONNECTIONS  $dump, $dump-csv and $load of all clients at once, the operator's not counted (default 8)
  SLUICE_BULK_PER_CLIENT   of those, how many one client (or the operator) may run (default 2)
  SLUICE_BULK_MIN_RATE     bytes per second a bulk transfer must keep up, either way (default 16384; -1: off)
  SLUICE_BULK_RATE_WINDOW  the window that rate is measured over (default 30s)
  SLUICE_BULK_MAX_DURATION longest a bulk operation or $import input may run (default 1h)
  SLUICE_AUTH_CACHE_TTL  how long a verified client secret spares bcrypt (default 1m; negative: never)
  SLUICE_AUTH_MAX_FAILURES  failed logins of a client id from one address before 429 and a
                         backoff of 1s doubling (default 5; negative: no backoff)
  SLUICE_AUTH_BACKOFF_MAX  longest backoff wait (default 5m)
`

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

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// envInt is an integer setting; a value that is not one is an error naming the setting.
func envInt(name string, fallback int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: want an integer, got %q", name, v)
	}
	return n, nil
}

// envDuration is a positive duration setting such as 30s or 5m.
func envDuration(name string, fallback time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return fallback, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: want a positive duration such as 30s or 5m, got %q", name, v)
	}
	return d, nil
}

// database returns the URL of the database to use and a function that releases it: with
// DATABASE_URL that database, else the embedded cluster (started here, stopped by release).
func database(ctx context.Context) (url string, release func(), err error) {
	if url := os.Getenv("DATABASE_URL"); url != "" {
		return url, func() {}, nil
	}
	dataDir := env("SLUICE_DATA", ".sluice")
	// Others must be able to enter the data folder: the cluster inside runs as postgres.
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", nil, err
	}
	if err := os.Chmod(dataDir, 0o755); err != nil {
		return "", nil, err
	}
	cluster, err := pgcluster.Start(ctx, filepath.Join(dataDir, "pg"), pgcluster.Options{
		BinDir: env("SLUICE_PG_BIN", pgcluster.DefaultBinDir),
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
	maxBody, err := strconv.ParseInt(env("SLUICE_MAX_BODY_BYTES", strconv.Itoa(proxy.DefaultMaxBodyBytes)), 10, 64)
	if err != nil {
		return fmt.Errorf("SLUICE_MAX_BODY_BYTES: %w", err)
	}
	dumpSQLTimeout, err := time.ParseDuration(env("SLUICE_DUMP_SQL_TIMEOUT", proxy.DefaultDumpSQLTimeout.String()))
	if err != nil || dumpSQLTimeout <= 0 {
		return fmt.Errorf("SLUICE_DUMP_SQL_TIMEOUT: want a positive duration such as 30s or 5m, got %q", os.Getenv("SLUICE_DUMP_SQL_TIMEOUT"))
	}
	dumpSQLLimits := map[string]int64{"SLUICE_DUMP_SQL_MAX_CONCURRENT": proxy.DefaultDumpSQLMaxConcurrent,
		"SLUICE_DUMP_SQL_PER_CLIENT": proxy.DefaultDumpSQLPerClient, "SLUICE_DUMP_SQL_MAX_ROW_BYTES": proxy.DefaultDumpSQLMaxRowBytes,
		"SLUICE_DUMP_SQL_MAX_BYTES": proxy.DefaultDumpSQLMaxBytes}
	for name, value := range dumpSQLLimits {
		if dumpSQLLimits[name], err = strconv.ParseInt(env(name, strconv.FormatInt(value, 10)), 10, 64); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	authCacheTTL, err := time.ParseDuration(env("SLUICE_AUTH_CACHE_TTL", proxy.DefaultAuthCacheTTL.String()))
	if err != nil {
		return fmt.Errorf("SLUICE_AUTH_CACHE_TTL: want a duration such as 1m, got %q", os.Getenv("SLUICE_AUTH_CACHE_TTL"))
	}
	authMaxFailures, err := strconv.Atoi(env("SLUICE_AUTH_MAX_FAILURES", strconv.Itoa(proxy.DefaultAuthMaxFailures)))
	if err != nil {
		return fmt.Errorf("SLUICE_AUTH_MAX_FAILURES: %w", err)
	}
	authBackoffMax, err := time.ParseDuration(env("SLUICE_AUTH_BACKOFF_MAX", proxy.DefaultAuthBackoffMax.String()))
	if err != nil || authBackoffMax <= 0 {
		return fmt.Errorf("SLUICE_AUTH_BACKOFF_MAX: want a positive duration such as 5m, got %q", os.Getenv("SLUICE_AUTH_BACKOFF_MAX"))
	}
	adminSecret, err := adminSecret()
	if err != nil {
		return err
	}
	url, release, err := database(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := migrations.Up(url); err != nil {
		return err
	}
	dbConnections, err := envInt("SLUICE_DB_CONNECTIONS", 10)
	if err != nil {
		return err
	}
	poolConfig, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	poolConfig.MaxConns = int32(dbConnections)
	pool, err := pgxpool.NewWithConfig(ctx, poolConfig)
	if err != nil {
		return err
	}
	defer pool.Close()

	importWorkers, err := envInt("SLUICE_IMPORT_WORKERS", proxy.DefaultImportWorkers)
	if err != nil {
		return err
	}
	bulkConnections, err := envInt("SLUICE_BULK_CONNECTIONS", proxy.DefaultBulkConnections)
	if err != nil {
		return err
	}
	bulkPerClient, err := envInt("SLUICE_BULK_PER_CLIENT", proxy.DefaultBulkPerClient)
	if err != nil {
		return err
	}
	minRate, err := envInt("SLUICE_BULK_MIN_RATE", transfer.DefaultMinTransferRate)
	if err != nil {
		return err
	}
	rateWindow, err := envDuration("SLUICE_BULK_RATE_WINDOW", transfer.DefaultTransferWindow)
	if err != nil {
		return err
	}
	bulkMaxDuration, err := envDuration("SLUICE_BULK_MAX_DURATION", transfer.DefaultBulkMaxDuration)
	if err != nil {
		return err
	}
	importPerClient, err := strconv.Atoi(env("SLUICE_IMPORT_PER_CLIENT", strconv.Itoa(proxy.DefaultImportPerClient)))
	if err != nil || importPerClient == 0 {
		return fmt.Errorf("SLUICE_IMPORT_PER_CLIENT: want a positive number, or -1 for no limit, got %q", os.Getenv("SLUICE_IMPORT_PER_CLIENT"))
	}
	loadMaxBytes, err := strconv.ParseInt(env("SLUICE_LOAD_MAX_BYTES", strconv.FormatInt(proxy.DefaultLoadMaxBytes, 10)), 10, 64)
	if err != nil || loadMaxBytes <= 0 {
		return fmt.Errorf("SLUICE_LOAD_MAX_BYTES: want a positive number of bytes, got %q", os.Getenv("SLUICE_LOAD_MAX_BYTES"))
	}
	loadMaxLines, err := strconv.ParseInt(env("SLUICE_LOAD_MAX_LINES", strconv.FormatInt(proxy.DefaultLoadMaxLines, 10)), 10, 64)
	if err != nil || loadMaxLines <= 0 {
		return fmt.Errorf("SLUICE_LOAD_MAX_LINES: want a positive number of lines, got %q", os.Getenv("SLUICE_LOAD_MAX_LINES"))
	}
	var sourceAllow []string
	for _, prefix := range strings.Split(os.Getenv("SLUICE_SOURCE_ALLOW"), ",") {
		if prefix = strings.TrimSpace(prefix); prefix != "" {
			sourceAllow = append(sourceAllow, prefix)
		}
	}
	if err := proxy.ValidateSourceAllow(sourceAllow); err != nil {
		return err
	}
	sourceAllowPrivate, err := strconv.ParseBool(env("SLUICE_SOURCE_ALLOW_PRIVATE", "false"))
	if err != nil {
		return fmt.Errorf("SLUICE_SOURCE_ALLOW_PRIVATE: want true or false, got %q", os.Getenv("SLUICE_SOURCE_ALLOW_PRIVATE"))
	}
	if sourceAllowPrivate {
		slog.Warn("SLUICE_SOURCE_ALLOW_PRIVATE=true: $load and $import may fetch from loopback, private and link-local addresses (this server, its network, cloud metadata); for local use only")
	}
	api := proxy.New(pool, proxy.Config{AdminID: env("SLUICE_ADMIN_ID", "admin"), AdminSecret: adminSecret, MaxBodyBytes: maxBody,
		DumpSQLURL: os.Getenv("SLUICE_DUMP_SQL_URL"), DumpSQLTimeout: dumpSQLTimeout,
		DumpSQLMaxConcurrent: int(dumpSQLLimits["SLUICE_DUMP_SQL_MAX_CONCURRENT"]), DumpSQLPerClient: int(dumpSQLLimits["SLUICE_DUMP_SQL_PER_CLIENT"]),
		DumpSQLMaxRowBytes: int(dumpSQLLimits["SLUICE_DUMP_SQL_MAX_ROW_BYTES"]), DumpSQLMaxBytes: dumpSQLLimits["SLUICE_DUMP_SQL_MAX_BYTES"],
		SourceAllow: sourceAllow, SourceAllowPrivate: sourceAllowPrivate, SourceDir: os.Getenv("SLUICE_SOURCE_DIR"), ImportWorkers: importWorkers,
		MinTransferRate: int64(minRate), TransferWindow: rateWindow, BulkMaxDuration: bulkMaxDuration,
		BulkConnections: bulkConnections, BulkPerClient: bulkPerClient,
		ImportPerClient: importPerClient, LoadMaxBytes: loadMaxBytes, LoadMaxLines: loadMaxLines,
		AuthCacheTTL: authCacheTTL, AuthMaxFailures: authMaxFailures, AuthBackoffMax: authBackoffMax})
	defer api.Close()
	workersCtx, stopWorkers := context.WithCancel(ctx)
	waitWorkers := api.StartImportWorkers(workersCtx)
	defer waitWorkers()
	defer stopWorkers()
	server := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 30 * time.Second,
	}
	listener, err := net.Listen("tcp", env("SLUICE_LISTEN", "127.0.0.1:8080"))
	if err != nil {
		return err
	}
	slog.Info("sluice serving", "url", "http://"+listener.Addr().String(), "admin", env("SLUICE_ADMIN_ID", "admin"))
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

// adminSecret is SLUICE_ADMIN_SECRET, or a secret generated once and kept in the data folder
// (mode 0600), whose path is printed so the operator can read it.
func adminSecret() (string, error) {
	if s := os.Getenv("SLUICE_ADMIN_SECRET"); s != "" {
		return s, nil
	}
	dataDir := env("SLUICE_DATA", ".sluice")
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
	url, release, err := database(ctx)
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
