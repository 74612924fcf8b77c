// Package pgcluster runs a private PostgreSQL cluster in a folder: the embedded default of
// `sluice serve` when no DATABASE_URL is given, and the throwaway database of the tests.
//
// The cluster listens only on a unix socket inside its own folder (no TCP port to collide
// with). PostgreSQL refuses to run as root, so when sluice runs as root the cluster's folder
// is given to the `postgres` system user and initdb/pg_ctl run as that user.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// DefaultBinDir is where Debian's postgresql-15 package puts initdb, pg_ctl and postgres.
const DefaultBinDir = "/usr/lib/postgresql/15/bin"

// Options tune a cluster.
type Options struct {
	// BinDir holds initdb and pg_ctl; DefaultBinDir when empty.
	BinDir string
	// Throwaway turns off fsync and full-page writes: for tests, never for data you keep.
	Throwaway bool
	// Settings are extra postgresql.conf settings given on the command line.
	Settings map[string]string
}

// Cluster is a running PostgreSQL cluster owned by this process.
type Cluster struct {
	dir  string
	opts Options
	cred *syscall.Credential
}

// unix socket paths are limited to 107 bytes on Linux; the socket lives in the cluster folder.
const maxSocketPath = 107

// Start initialises the cluster in dir when it is new and starts it. A postmaster left running
// by a process that crashed is stopped and started again, so this process owns the cluster;
// a stale postmaster.pid (the postmaster itself died) is cleaned up by PostgreSQL on start.
func Start(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	if opts.BinDir == "" {
		opts.BinDir = DefaultBinDir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: abs, opts: opts}
	if len(c.socketPath()) > maxSocketPath {
		return nil, fmt.Errorf("the data folder %s is too deep for a unix socket (%d bytes > %d): choose a shorter SLUICE_DATA", abs, len(c.socketPath()), maxSocketPath)
	}
	if os.Geteuid() == 0 {
		if c.cred, err = postgresUser(); err != nil {
			return nil, err
		}
	}
	if err := c.initOnce(ctx); err != nil {
		return nil, err
	}
	if c.run(ctx, "pg_ctl", "status", "-D", c.dir) == nil {
		if err := c.stop(ctx); err != nil {
			return nil, fmt.Errorf("stopping a postmaster left over in %s: %w", c.dir, err)
		}
	}
	args := []string{"start", "-w", "-t", "120", "-D", c.dir, "-l", filepath.Join(c.dir, "postgresql.log"), "-o", c.serverOptions()}
	if err := c.run(ctx, "pg_ctl", args...); err != nil {
		return nil, fmt.Errorf("starting PostgreSQL in %s (see its postgresql.log): %w", c.dir, err)
	}
	return c, nil
}

// Dir is the cluster's data folder.
func (c *Cluster) Dir() string { return c.dir }

// URL is a libpq/pgx connection URL for database dbname as the superuser, over the socket.
func (c *Cluster) URL(dbname string) string {
	return (&url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Path:     "/" + dbname,
		RawQuery: url.Values{"host": {c.dir}, "sslmode": {"disable"}}.Encode(),
	}).String()
}

// Stop shuts the cluster down (fast mode: open sessions are rolled back).
func (c *Cluster) Stop() error { return c.stop(context.Background()) }

func (c *Cluster) stop(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "stop", "-w", "-m", "fast", "-D", c.dir)
}

func (c *Cluster) socketPath() string { return filepath.Join(c.dir, ".s.PGSQL.5432") }

// initOnce runs initdb unless the folder already holds a cluster.
func (c *Cluster) initOnce(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); err == nil {
		return nil
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
		if err := reachable(c.dir); err != nil {
			return err
		}
	}
	args := []string{"-D", c.dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"}
	if c.opts.Throwaway {
		args = append(args, "--no-sync")
	}
	if err := c.run(ctx, "initdb", args...); err != nil {
		return fmt.Errorf("initdb in %s: %w", c.dir, err)
	}
	return nil
}

// serverOptions are the postgres command-line settings: socket only, in the data folder.
func (c *Cluster) serverOptions() string {
	settings := map[string]string{
		"listen_addresses":        "''",
		"unix_socket_directories": "'" + c.dir + "'",
	}
	if c.opts.Throwaway {
		settings["fsync"] = "off"
		settings["full_page_writes"] = "off"
		settings["synchronous_commit"] = "off"
	}
	for k, v := range c.opts.Settings {
		settings[k] = v
	}
	var b bytes.Buffer
	for k, v := range settings {
		fmt.Fprintf(&b, " -c %s=%s", k, v)
	}
	return b.String()
}

// run runs a PostgreSQL program as the cluster's owner; its output goes into the error.
func (c *Cluster) run(ctx context.Context, program string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.opts.BinDir, program), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
		// Keep root's environment out: HOME=/root is unreadable for postgres.
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("%s %v: %w: %s", program, args[0], err, bytes.TrimSpace(out))
		}
		return err
	}
	return nil
}

// postgresUser is the credential of the `postgres` system user.
func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, the embedded PostgreSQL needs the postgres system user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// reachable checks that the postgres user can walk down to dir: every parent folder must let
// others search it (a data folder under /root, mode 0700, would not).
func reachable(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the postgres user cannot reach %s: %s is mode %v; choose a SLUICE_DATA under a folder others can enter", dir, d, info.Mode().Perm())
		}
		if d == "/" {
			return nil
		}
	}
}
