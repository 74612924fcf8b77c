// Package config holds every setting of sluice once: a table of environment variables, each
// with its default, its parser and a line of documentation. The values a server runs with,
// the defaults a zero field falls back to and the usage text of `sluice help` are all made
// from that table, and a test checks it against the README.
package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Config is every setting of `sluice serve`.
type Config struct {
	// DatabaseURL is the database to use; empty: the embedded cluster in DataDir.
	DatabaseURL string
	// DataDir holds the embedded cluster (pg/) and the generated operator secret.
	DataDir string
	// Listen is the HTTP listen address.
	Listen string
	// MetricsListen, when set, is a second listen address serving only GET /metrics, without
	// credentials, for a Prometheus scraper; unset, /metrics is on Listen, authorized like the API.
	MetricsListen string
	// PGBin holds the PostgreSQL programs of the embedded cluster.
	PGBin string
	// DBConnections is the size of the pool for authentication, REST, status and health.
	DBConnections int
	// Server is what the HTTP server is given.
	Server Server
}

// Server is what the HTTP server needs to know beyond its database. A zero field means its
// default (WithDefaults), so tests set only what they are about.
type Server struct {
	// AdminID and AdminSecret are the operator credential, which bypasses access policies.
	AdminID     string
	AdminSecret string
	// MaxBodyBytes bounds REST request bodies; larger ones get 413.
	MaxBodyBytes int64
	// DumpSQLURL is where $dump-sql logs in (host, port, database, TLS); its user and
	// password are never used: each request logs in as a role of its own, made for it, a
	// member of the reader role. Empty: the server's own connection settings.
	DumpSQLURL string
	// DumpSQLTimeout bounds a $dump-sql request from start to end, the query and the
	// streaming of its result (default when zero or negative).
	DumpSQLTimeout time.Duration
	// DumpSQLMaxConcurrent bounds the $dump-sql queries of all clients that run at once,
	// DumpSQLPerClient those of one client (the operator's do not count against the first:
	// it has DumpSQLPerClient of its own). Defaults when zero or negative.
	DumpSQLMaxConcurrent int
	DumpSQLPerClient     int
	// DumpSQLMaxRowBytes bounds one row of a $dump-sql result as the server receives it
	// (default when zero or negative), DumpSQLMaxBytes the whole result before compression
	// (default when zero, no limit when negative).
	DumpSQLMaxRowBytes int
	DumpSQLMaxBytes    int64
	// SourceAllow, when not empty, lists the URL prefixes $load and $import may fetch,
	// compared parsed (scheme, host, port, whole path segments).
	SourceAllow []string
	// SourceAllowPrivate lets sources connect to loopback, private, link-local and other
	// non-public addresses, which are refused by default (false): local use and tests only.
	SourceAllowPrivate bool
	// SourceDir, when set, lets file:// sources read files inside it (and nowhere else).
	SourceDir string
	// ImportWorkers is how many $import inputs this server loads at once (default when zero
	// or negative).
	ImportWorkers int
	// ImportPerClient is how many $import inputs of one Client run at once across the servers
	// sharing the database (default when zero; negative: no limit), so that one client's slow
	// inputs never hold every worker; the operator's inputs have no limit.
	ImportPerClient int
	// LoadMaxBytes and LoadMaxLines bound one load ($load, or one $import input): the
	// decompressed bytes of its source (larger: 413) and its non-blank lines (more: 422).
	// Defaults when zero or negative.
	LoadMaxBytes int64
	LoadMaxLines int64

	// MinTransferRate (bytes per second) and TransferWindow: a bulk transfer in either
	// direction (a client reading an export, a source feeding a load) that moves fewer than
	// MinTransferRate*TransferWindow bytes in a window is cut off. Defaults when zero (the
	// window: or negative); a negative rate disables the check.
	MinTransferRate int64
	TransferWindow  time.Duration
	// BulkMaxDuration bounds every bulk operation ($dump, $dump-csv, $load, one $import input)
	// from start to end (default when zero or negative), so no transaction stays open and
	// holds back vacuum indefinitely.
	BulkMaxDuration time.Duration
	// BulkConnections is how many $dump, $dump-csv and $load of all clients may run at once
	// (the operator's not counted), BulkPerClient how many one caller may run, the operator
	// too. The bulk pool has room for both and the import workers. Defaults when zero or
	// negative.
	BulkConnections int
	BulkPerClient   int

	// HistoryCount is how many versions a page of a resource's history holds when the request
	// has no _count, HistoryMaxCount the most it holds whatever _count asks (larger values are
	// lowered to it). Defaults when zero or negative.
	HistoryCount    int
	HistoryMaxCount int
	// ExportDir holds the $export files, a folder per job (sluice serve: <data>/export when
	// empty; a server made without it uses sluice-export in the system's temporary folder).
	ExportDir string
	// ExportMaxLines is the most lines one $export file holds; larger types are split.
	ExportMaxLines int64
	// ExportExpires is how long the files of a finished $export are kept.
	ExportExpires time.Duration
	// ExportJobs is how many $export jobs may wait or run at once, all clients and servers
	// together (more: 429), and how many this server writes at once; ExportParallel how many
	// types of one job are written at once. Defaults when zero or negative.
	ExportJobs     int
	ExportParallel int

	// AuthCacheTTL is how long a client's verified credential spares it bcrypt (default when
	// zero, negative: no cache). A changed secret or a deleted Client is refused at once
	// whatever the TTL: the cache holds the fingerprint of the stored hash it matched, and
	// the database compares it (policy.verified_secret).
	AuthCacheTTL time.Duration
	// AuthMaxFailures is how many failed authentications in a row a client id may have from
	// one remote address before each further failure makes it wait, with 429 and Retry-After
	// and no database work: 1s, doubling up to AuthBackoffMax; a success resets it.
	// Default when zero; negative: no backoff.
	AuthMaxFailures int
	// AuthBackoffMax is the longest such wait (default when zero or negative).
	AuthBackoffMax time.Duration

	// TokenLifetime is how long an access token of POST /auth/token is valid (default when
	// zero or negative).
	TokenLifetime time.Duration
	// BaseURL is the URL clients reach the server at (scheme, host, port, no trailing slash):
	// the token endpoint an assertion's aud must name, and what discovery shows. Empty: each
	// request's own, from its Host header and whether it came over TLS.
	BaseURL string
}

// Setting is one environment variable.
type Setting struct {
	Name string
	// Default is the value used when the variable is unset or empty, written as one would
	// set it; "" when there is none, and then Unset says what happens instead.
	Default string
	Unset   string
	Doc     string
	// set parses a value into its field of c; its error says what was wanted.
	set func(c *Config, v string) error
}

// DefaultText is the default as the usage text and the README show it.
func (s Setting) DefaultText() string {
	if s.Default != "" {
		return s.Default
	}
	return s.Unset
}

// Settings is every variable sluice reads, in the order `sluice help` lists them.
// The environment of the `sluice load` and `sluice dump` clients (not settings of the server):
// which server they talk to, and as whom (id:secret, as curl's -u).
const (
	ClientURLVariable  = "SLUICE_URL"
	ClientUserVariable = "SLUICE_USER"
)

var Settings = []Setting{
	{Name: "DATABASE_URL", Unset: "unset", Doc: "a postgres:// URL; unset: the embedded cluster in the data folder",
		set: text(func(c *Config) *string { return &c.DatabaseURL })},
	{Name: "SLUICE_DATA", Default: ".sluice", Doc: "data folder: the embedded cluster (pg/) and the generated operator secret",
		set: text(func(c *Config) *string { return &c.DataDir })},
	{Name: "SLUICE_LISTEN", Default: "127.0.0.1:8080", Doc: "HTTP listen address",
		set: text(func(c *Config) *string { return &c.Listen })},
	{Name: "SLUICE_METRICS_ADDR", Unset: "unset", Doc: "listen address serving only GET /metrics without credentials, for a scraper; unset: /metrics is on SLUICE_LISTEN with the API's credentials",
		set: text(func(c *Config) *string { return &c.MetricsListen })},
	{Name: "SLUICE_ADMIN_ID", Default: "admin", Doc: "operator client id (bypasses access policies)",
		set: text(func(c *Config) *string { return &c.Server.AdminID })},
	{Name: "SLUICE_ADMIN_SECRET", Unset: "generated", Doc: "operator secret; unset: generated once into <data>/admin-secret (mode 0600)",
		set: text(func(c *Config) *string { return &c.Server.AdminSecret })},
	{Name: "SLUICE_PG_BIN", Default: "/usr/lib/postgresql/15/bin", Doc: "PostgreSQL programs for the embedded cluster",
		set: text(func(c *Config) *string { return &c.PGBin })},
	{Name: "SLUICE_MAX_BODY_BYTES", Default: "33554432", Doc: "REST body limit in bytes (bulk data comes by URL, not in the body)",
		set: bytes64(func(c *Config) *int64 { return &c.Server.MaxBodyBytes }, anyValue)},
	{Name: "SLUICE_DB_CONNECTIONS", Default: "10", Doc: "connections for authentication, REST, status and health",
		set: integer(func(c *Config) *int { return &c.DBConnections }, positive)},
	{Name: "SLUICE_SOURCE_ALLOW", Unset: "any public http(s)", Doc: "comma-separated URL prefixes $load/$import may fetch, compared by scheme, host, port and whole path segments",
		set: list(func(c *Config) *[]string { return &c.Server.SourceAllow })},
	{Name: "SLUICE_SOURCE_ALLOW_PRIVATE", Default: "false", Doc: "true: sources may be on loopback, private or link-local addresses (local use; make run sets it)",
		set: boolean(func(c *Config) *bool { return &c.Server.SourceAllowPrivate })},
	{Name: "SLUICE_SOURCE_DIR", Unset: "unset", Doc: "the folder file:// sources may read; unset: file:// refused",
		set: text(func(c *Config) *string { return &c.Server.SourceDir })},
	{Name: "SLUICE_IMPORT_WORKERS", Default: "2", Doc: "$import inputs this server loads at once",
		set: integer(func(c *Config) *int { return &c.Server.ImportWorkers }, anyValue)},
	{Name: "SLUICE_IMPORT_PER_CLIENT", Default: "1", Doc: "$import inputs of one client loaded at once, all servers together (-1: no limit; the operator's have none)",
		set: integer(func(c *Config) *int { return &c.Server.ImportPerClient }, nonZero)},
	{Name: "SLUICE_LOAD_MAX_BYTES", Default: "68719476736", Doc: "decompressed bytes of one $load or $import input (64 GiB)",
		set: bytes64(func(c *Config) *int64 { return &c.Server.LoadMaxBytes }, positive)},
	{Name: "SLUICE_LOAD_MAX_LINES", Default: "100000000", Doc: "non-blank lines of one $load or $import input",
		set: bytes64(func(c *Config) *int64 { return &c.Server.LoadMaxLines }, positive)},
	{Name: "SLUICE_BULK_CONNECTIONS", Default: "8", Doc: "$dump, $dump-csv and $load of all clients at once, the operator's not counted",
		set: integer(func(c *Config) *int { return &c.Server.BulkConnections }, anyValue)},
	{Name: "SLUICE_BULK_PER_CLIENT", Default: "2", Doc: "of those, how many one client (or the operator) may run",
		set: integer(func(c *Config) *int { return &c.Server.BulkPerClient }, anyValue)},
	{Name: "SLUICE_BULK_MIN_RATE", Default: "16384", Doc: "bytes per second a bulk transfer must keep up, either way (-1: off)",
		set: bytes64(func(c *Config) *int64 { return &c.Server.MinTransferRate }, anyValue)},
	{Name: "SLUICE_BULK_RATE_WINDOW", Default: "30s", Doc: "the window that rate is measured over",
		set: duration(func(c *Config) *time.Duration { return &c.Server.TransferWindow }, positive)},
	{Name: "SLUICE_BULK_MAX_DURATION", Default: "1h", Doc: "longest a bulk operation or $import input may run",
		set: duration(func(c *Config) *time.Duration { return &c.Server.BulkMaxDuration }, positive)},
	{Name: "SLUICE_DUMP_SQL_URL", Unset: "derived", Doc: "postgres:// URL of where $dump-sql logs in (derived: the database's settings); its user and password are not used: each request logs in as a role made for it",
		set: text(func(c *Config) *string { return &c.Server.DumpSQLURL })},
	{Name: "SLUICE_DUMP_SQL_TIMEOUT", Default: "5m", Doc: "limit on a whole $dump-sql request, query and streaming",
		set: duration(func(c *Config) *time.Duration { return &c.Server.DumpSQLTimeout }, positive)},
	{Name: "SLUICE_DUMP_SQL_MAX_CONCURRENT", Default: "8", Doc: "$dump-sql queries of all clients at once (the operator's are not counted)",
		set: integer(func(c *Config) *int { return &c.Server.DumpSQLMaxConcurrent }, anyValue)},
	{Name: "SLUICE_DUMP_SQL_PER_CLIENT", Default: "2", Doc: "$dump-sql queries of one client at once",
		set: integer(func(c *Config) *int { return &c.Server.DumpSQLPerClient }, anyValue)},
	{Name: "SLUICE_DUMP_SQL_MAX_ROW_BYTES", Default: "67108864", Doc: "largest row of a $dump-sql result in bytes (64 MiB)",
		set: integer(func(c *Config) *int { return &c.Server.DumpSQLMaxRowBytes }, anyValue)},
	{Name: "SLUICE_DUMP_SQL_MAX_BYTES", Default: "10737418240", Doc: "largest $dump-sql result in bytes before compression (10 GiB; -1: no limit)",
		set: bytes64(func(c *Config) *int64 { return &c.Server.DumpSQLMaxBytes }, anyValue)},
	{Name: "SLUICE_HISTORY_COUNT", Default: "100", Doc: "versions in a page of GET .../_history without _count",
		set: integer(func(c *Config) *int { return &c.Server.HistoryCount }, positive)},
	{Name: "SLUICE_HISTORY_MAX_COUNT", Default: "1000", Doc: "most versions in a page of GET .../_history, whatever _count asks",
		set: integer(func(c *Config) *int { return &c.Server.HistoryMaxCount }, positive)},
	{Name: "SLUICE_EXPORT_DIR", Unset: "<data>/export", Doc: "folder of the $export files, one folder per job",
		set: text(func(c *Config) *string { return &c.Server.ExportDir })},
	{Name: "SLUICE_EXPORT_MAX_LINES", Default: "100000", Doc: "most lines of one $export file; larger types are split into several",
		set: bytes64(func(c *Config) *int64 { return &c.Server.ExportMaxLines }, positive)},
	{Name: "SLUICE_EXPORT_EXPIRES", Default: "24h", Doc: "how long the files of a finished $export are kept",
		set: duration(func(c *Config) *time.Duration { return &c.Server.ExportExpires }, positive)},
	{Name: "SLUICE_EXPORT_JOBS", Default: "2", Doc: "$export jobs waiting or running at once, all clients (more: 429); also how many this server writes at once",
		set: integer(func(c *Config) *int { return &c.Server.ExportJobs }, positive)},
	{Name: "SLUICE_EXPORT_PARALLEL", Default: "2", Doc: "types of one $export written at once, each on a connection of its own",
		set: integer(func(c *Config) *int { return &c.Server.ExportParallel }, positive)},
	{Name: "SLUICE_AUTH_CACHE_TTL", Default: "1m", Doc: "how long a verified client secret spares bcrypt (negative: never)",
		set: duration(func(c *Config) *time.Duration { return &c.Server.AuthCacheTTL }, anyValue)},
	{Name: "SLUICE_AUTH_MAX_FAILURES", Default: "5", Doc: "failed logins of a client id from one address before 429 and a backoff of 1s doubling (negative: no backoff)",
		set: integer(func(c *Config) *int { return &c.Server.AuthMaxFailures }, anyValue)},
	{Name: "SLUICE_AUTH_BACKOFF_MAX", Default: "5m", Doc: "longest backoff wait",
		set: duration(func(c *Config) *time.Duration { return &c.Server.AuthBackoffMax }, positive)},
	{Name: "SLUICE_TOKEN_LIFETIME", Default: "5m", Doc: "how long an access token of POST /auth/token is valid",
		set: duration(func(c *Config) *time.Duration { return &c.Server.TokenLifetime }, positive)},
	{Name: "SLUICE_BASE_URL", Unset: "from each request", Doc: "the URL clients reach the server at: the token endpoint an assertion's aud names, $export's absolute URLs, links; unset: each request's Host",
		set: baseURL(func(c *Config) *string { return &c.Server.BaseURL })},
}

// Load reads every setting through getenv (os.Getenv); an unset or empty variable takes its
// default. A bad value is an error naming the variable.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	for _, s := range Settings {
		v := getenv(s.Name)
		if v == "" {
			v = s.Default
		}
		if v == "" {
			continue
		}
		if err := s.set(&c, v); err != nil {
			return Config{}, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return c, nil
}

// Default is the configuration of an empty environment.
func Default() Config {
	c, err := Load(func(string) string { return "" })
	if err != nil {
		panic("a default in the settings table does not parse: " + err.Error()) // TestDefaultsParse
	}
	return c
}

// WithDefaults is s with each limit left zero (for some, also negative: see the field) set
// to its default. The operator credential and the source settings have none here: a server
// without them has no operator and the default source policy.
func (s Server) WithDefaults() Server {
	d := Default().Server
	if s.MaxBodyBytes <= 0 {
		s.MaxBodyBytes = d.MaxBodyBytes
	}
	if s.MinTransferRate == 0 {
		s.MinTransferRate = d.MinTransferRate
	}
	if s.TransferWindow <= 0 {
		s.TransferWindow = d.TransferWindow
	}
	if s.BulkMaxDuration <= 0 {
		s.BulkMaxDuration = d.BulkMaxDuration
	}
	if s.AuthCacheTTL == 0 {
		s.AuthCacheTTL = d.AuthCacheTTL
	}
	if s.AuthMaxFailures == 0 {
		s.AuthMaxFailures = d.AuthMaxFailures
	}
	if s.AuthBackoffMax <= 0 {
		s.AuthBackoffMax = d.AuthBackoffMax
	}
	if s.BulkConnections <= 0 {
		s.BulkConnections = d.BulkConnections
	}
	if s.BulkPerClient <= 0 {
		s.BulkPerClient = d.BulkPerClient
	}
	if s.ImportWorkers <= 0 {
		s.ImportWorkers = d.ImportWorkers
	}
	if s.ImportPerClient == 0 {
		s.ImportPerClient = d.ImportPerClient
	}
	if s.LoadMaxBytes <= 0 {
		s.LoadMaxBytes = d.LoadMaxBytes
	}
	if s.LoadMaxLines <= 0 {
		s.LoadMaxLines = d.LoadMaxLines
	}
	if s.DumpSQLTimeout <= 0 {
		s.DumpSQLTimeout = d.DumpSQLTimeout
	}
	if s.DumpSQLMaxConcurrent <= 0 {
		s.DumpSQLMaxConcurrent = d.DumpSQLMaxConcurrent
	}
	if s.DumpSQLPerClient <= 0 {
		s.DumpSQLPerClient = d.DumpSQLPerClient
	}
	if s.DumpSQLMaxRowBytes <= 0 {
		s.DumpSQLMaxRowBytes = d.DumpSQLMaxRowBytes
	}
	if s.ExportMaxLines <= 0 {
		s.ExportMaxLines = d.ExportMaxLines
	}
	if s.ExportExpires <= 0 {
		s.ExportExpires = d.ExportExpires
	}
	if s.ExportJobs <= 0 {
		s.ExportJobs = d.ExportJobs
	}
	if s.ExportParallel <= 0 {
		s.ExportParallel = d.ExportParallel
	}
	if s.DumpSQLMaxBytes == 0 {
		s.DumpSQLMaxBytes = d.DumpSQLMaxBytes
	}
	if s.HistoryCount <= 0 {
		s.HistoryCount = d.HistoryCount
	}
	if s.HistoryMaxCount <= 0 {
		s.HistoryMaxCount = d.HistoryMaxCount
	}
	if s.TokenLifetime <= 0 {
		s.TokenLifetime = d.TokenLifetime
	}
	return s
}

// Usage is the environment part of `sluice help`: each variable, its default and its doc.
func Usage() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, s := range Settings {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", s.Name, s.DefaultText(), s.Doc)
	}
	w.Flush()
	return b.String()
}

// The parsers. Each takes the field it sets, and the numeric ones a rule on the value.

// rule is a check of a parsed number, with the wording of what it wants.
type rule struct {
	ok        func(n int64) bool
	adjective string
}

// want is what a bad value was instead of, e.g. "want a positive integer".
func (r rule) want(noun string) string {
	phrase := r.adjective + noun
	if strings.ContainsRune("aeiou", rune(phrase[0])) {
		return "want an " + phrase
	}
	return "want a " + phrase
}

var (
	// anyValue: zero and negative values mean what the field says (its default, or off).
	anyValue = rule{func(int64) bool { return true }, ""}
	positive = rule{func(n int64) bool { return n > 0 }, "positive "}
	// nonZero: zero would mean "the default" to the server, so the variable may not say it.
	nonZero = rule{func(n int64) bool { return n != 0 }, "non-zero "}
)

func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

// baseURL takes an absolute http(s) URL without query or fragment, stored without a trailing
// slash (paths are appended to it).
func baseURL(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("want an http(s) URL like https://fhir.example.org, got %q", v)
		}
		*field(c) = strings.TrimRight(v, "/")
		return nil
	}
}

func integer(field func(*Config) *int, r rule) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || !r.ok(int64(n)) {
			return fmt.Errorf("%s, got %q", r.want("integer"), v)
		}
		*field(c) = n
		return nil
	}
}

func bytes64(field func(*Config) *int64, r rule) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !r.ok(n) {
			return fmt.Errorf("%s, got %q", r.want("integer"), v)
		}
		*field(c) = n
		return nil
	}
}

func duration(field func(*Config) *time.Duration, r rule) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || !r.ok(int64(d)) {
			return fmt.Errorf("%s such as 30s or 5m, got %q", r.want("duration"), v)
		}
		*field(c) = d
		return nil
	}
}

func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", v)
		}
		*field(c) = b
		return nil
	}
}

// list is a comma-separated list; blank entries are dropped.
func list(field func(*Config) *[]string) func(*Config, string) error {
	return func(c *Config, v string) error {
		var entries []string
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				entries = append(entries, e)
			}
		}
		*field(c) = entries
		return nil
	}
}
