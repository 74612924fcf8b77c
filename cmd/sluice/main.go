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
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/config"
	"github.com/sluice-fhir/sluice/internal/source"
	"github.com/sluice-fhir/sluice/migrations"
	"github.com/sluice-fhir/sluice/proxy"
)

// usage is the commands and, made from the settings table, the environment.
var usage = `usage:
  sluice serve
  sluice migrate up | down N | down -all | goto V | version | force V
  sluice load [--fhir] [--type T] [--update] [--on-error fail|skip] [--url U] [--user id:secret] URL...
  sluice dump T [--fhir] [--since D] [--gzip] [-o FILE] [--url U] [--user id:secret]
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
	case "load":
		err = loadCommand(ctx, os.Args[2:])
	case "dump":
		err = dumpCommand(ctx, os.Args[2:])
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

	if cfg.Server.ExportDir == "" {
		cfg.Server.ExportDir = filepath.Join(cfg.DataDir, "export")
	}
	api := proxy.New(pool, cfg.Server)
	defer api.Close()
	workersCtx, stopWorkers := context.WithCancel(ctx)
	waitWorkers := api.StartImportWorkers(workersCtx)
	waitExports := api.StartExportWorkers(workersCtx)
	defer waitWorkers()
	defer waitExports()
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
	served := make(chan error, 2)
	go func() { served <- server.Serve(listener) }()
	if cfg.MetricsListen != "" {
		// A scraper's listener: GET /metrics only, no credentials (docs/metrics.md).
		metricsListener, err := net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			return err
		}
		metricsServer := &http.Server{Handler: api.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		defer metricsServer.Close()
		slog.Info("sluice metrics", "url", "http://"+metricsListener.Addr().String()+"/metrics")
		go func() { served <- metricsServer.Serve(metricsListener) }()
	}
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
