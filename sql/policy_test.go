package sql_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// The seed's bulk-client and its policy (seed/bulk-api.md, "Access policies"), YAML turned into
// JSON by hand: YAML "#/.*/\\$dump$" is the JSON string "#/.*/\\$dump$" too.
const (
	seedClient = `{"resourceType": "Client", "id": "bulk-client", "secret": "secret", "grant_types": ["basic"]}`
	seedPolicy = `{
  "resourceType": "AccessPolicy",
  "id": "bulk-client-dump",
  "engine": "matcho",
  "matcho": {
    "$one-of": [
      {"uri": "/$dump-sql", "request-method": "post"},
      {"uri": "#/.*/\\$dump$", "request-method": "get"},
      {"uri": "#/.*/\\$dump-csv$", "request-method": "get"},
      {"uri": {"$one-of": ["/$import", "/fhir/$import"]}, "request-method": "post"},
      {"uri": {"$one-of": ["/$load", "/fhir/$load", "#/.*/\\$load$"]}}
    ]
  },
  "link": [{"id": "bulk-client", "resourceType": "Client"}]
}`
)

// write stores a resource the way PUT /<type>/<id> does.
func write(t *testing.T, pool *pgxpool.Pool, resourceType, resource string) {
	t.Helper()
	if _, err := pool.Exec(context.Background(),
		`select sluice.resource_write($1, null, $2::jsonb, 'update')`, resourceType, resource); err != nil {
		t.Fatalf("writing %s %s: %v", resourceType, resource, err)
	}
}

// writeErr is write that returns the error, for writes that must fail.
func writeErr(pool *pgxpool.Pool, resourceType, resource string) error {
	_, err := pool.Exec(context.Background(),
		`select sluice.resource_write($1, null, $2::jsonb, 'update')`, resourceType, resource)
	return err
}

// wantSQLState fails unless err is a PostgreSQL error with code and a message containing every
// one of parts.
func wantSQLState(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("want SQLSTATE %s, got %v", code, err)
	}
	if pgErr.Code != code {
		t.Fatalf("want SQLSTATE %s, got %s: %s", code, pgErr.Code, pgErr.Message)
	}
	for _, part := range parts {
		if !strings.Contains(pgErr.Message, part) {
			t.Errorf("message %q does not name %q", pgErr.Message, part)
		}
	}
}

// count is the number of rows of query.
func count(t *testing.T, pool *pgxpool.Pool, query string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// request builds the request object the proxy passes to policy.authorize (docs/access.md).
func request(t *testing.T, clientID, method, uri string) string {
	t.Helper()
	params := map[string]any{}
	segments := strings.Split(strings.Trim(uri, "/"), "/")
	if len(segments) > 0 && segments[0] == "fhir" {
		segments = segments[1:]
	}
	if len(segments) > 0 && segments[0] != "" && !strings.HasPrefix(segments[0], "$") {
		params["resource/type"] = segments[0]
		if len(segments) > 1 && !strings.HasPrefix(segments[1], "$") {
			params["resource/id"] = segments[1]
		}
	}
	body, err := json.Marshal(map[string]any{
		"uri":            uri,
		"request-method": method,
		"params":         params,
		"query-string":   "",
		"headers":        map[string]string{"content-type": "application/json", "accept": "application/json"},
		"client":         map[string]string{"id": clientID},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// authorize calls policy.authorize as the proxy does.
func authorize(t *testing.T, pool *pgxpool.Pool, clientID string, secret any, method, uri string) string {
	t.Helper()
	var decision string
	if err := pool.QueryRow(context.Background(), `select policy.authorize($1, $2, $3::jsonb)`,
		clientID, secret, request(t, clientID, method, uri)).Scan(&decision); err != nil {
		t.Fatal(err)
	}
	return decision
}

func TestPolicyMatcho(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	// subject "" is SQL NULL: a missing key.
	cases := []struct {
		name, pattern, subject string
		want                   bool
	}{
		{"object: every key matches, extra subject keys fine", `{"a": 1, "b": "x"}`, `{"a": 1, "b": "x", "c": 3}`, true},
		{"object: a value differs", `{"a": 1, "b": "x"}`, `{"a": 1, "b": "y"}`, false},
		{"object: a key is missing", `{"a": 1, "b": "x"}`, `{"a": 1}`, false},
		{"object: subject not an object", `{"a": 1}`, `[{"a": 1}]`, false},
		{"object: nested, recursively", `{"a": {"b": {"c": true}}}`, `{"a": {"b": {"c": true, "d": 1}, "e": 2}}`, true},
		{"object: nested value differs", `{"a": {"b": {"c": true}}}`, `{"a": {"b": {"c": false}}}`, false},
		{"object: empty pattern, object subject", `{}`, `{"a": 1}`, true},
		{"object: empty pattern, string subject", `{}`, `"a"`, false},
		{"object: $-key that is not special is an ordinary key", `{"$dump": 1}`, `{"$dump": 1}`, true},
		{"array: prefix", `[1, {"a": 2}]`, `[1, {"a": 2, "b": 3}, 4]`, true},
		{"array: subject too short", `[1, 2]`, `[1]`, false},
		{"array: order matters", `[1, 2]`, `[2, 1]`, false},
		{"array: subject not an array", `[1]`, `{"0": 1}`, false},
		{"array: empty pattern, array subject", `[]`, `[1]`, true},
		{"array: empty pattern, object subject", `[]`, `{}`, false},
		{"scalar: equal numbers", `1`, `1.0`, true},
		{"scalar: string vs number", `"1"`, `1`, false},
		{"scalar: number vs string", `1`, `"1"`, false},
		{"scalar: equal strings", `"get"`, `"get"`, true},
		{"scalar: different strings", `"get"`, `"post"`, false},
		{"scalar: strings compare case-sensitively", `"get"`, `"GET"`, false},
		{"scalar: boolean", `true`, `true`, true},
		{"scalar: boolean vs string", `true`, `"true"`, false},
		{"scalar: null vs missing", `{"a": null}`, `{}`, true},
		{"scalar: null vs 0", `null`, `0`, false},
		{"regex: searched", `"#/.*/\\$dump$"`, `"/Patient/$dump"`, true},
		{"regex: no match", `"#/.*/\\$dump$"`, `"/$dump"`, false},
		{"regex: unanchored", `"#dump"`, `"/Patient/$dump-csv"`, true},
		{"regex: anchored by the pattern", `"#^dump"`, `"/Patient/$dump-csv"`, false},
		{"regex: subject must be a string", `"#^4"`, `42`, false},
		{"regex: missing subject", `{"a": "#.*"}`, `{}`, false},
		{"present?: present", `{"a": "present?"}`, `{"a": 0}`, true},
		{"present?: null", `{"a": "present?"}`, `{"a": null}`, false},
		{"present?: missing", `{"a": "present?"}`, `{}`, false},
		{"nil?: missing", `{"a": "nil?"}`, `{"b": 1}`, true},
		{"nil?: null", `{"a": "nil?"}`, `{"a": null}`, true},
		{"nil?: false is not nil", `{"a": "nil?"}`, `{"a": false}`, false},
		{"nil?: SQL NULL subject", `"nil?"`, ``, true},
		{"not-blank?: string", `"not-blank?"`, `" x "`, true},
		{"not-blank?: spaces", `"not-blank?"`, `" \t\n "`, false},
		{"not-blank?: empty string", `"not-blank?"`, `""`, false},
		{"not-blank?: number", `"not-blank?"`, `0`, true},
		{"not-blank?: empty array", `"not-blank?"`, `[]`, true},
		{"not-blank?: null", `"not-blank?"`, `null`, false},
		{"not-blank?: missing", `{"a": "not-blank?"}`, `{}`, false},
		{"$one-of: one matches", `{"$one-of": [{"a": 1}, {"a": 2}]}`, `{"a": 2}`, true},
		{"$one-of: none matches", `{"$one-of": [{"a": 1}, {"a": 2}]}`, `{"a": 3}`, false},
		{"$one-of: empty list", `{"$one-of": []}`, `{"a": 3}`, false},
		{"$one-of: on a string subject", `{"uri": {"$one-of": ["/$load", "#/.*/\\$load$"]}}`, `{"uri": "/fhir/Patient/$load"}`, true},
		{"$one-of: not an array matches nothing", `{"$one-of": {"a": 1}}`, `{"a": 1}`, false},
		{"$enum: listed", `{"a": {"$enum": ["get", "post"]}}`, `{"a": "post"}`, true},
		{"$enum: not listed", `{"a": {"$enum": ["get", "post"]}}`, `{"a": "put"}`, false},
		{"$enum: equality, not matching", `{"$enum": [{"a": 1}]}`, `{"a": 1, "b": 2}`, false},
		{"$enum: equal object", `{"$enum": [{"a": 1}]}`, `{"a": 1}`, true},
		{"$enum: a # value is a literal", `{"$enum": ["#.*"]}`, `"x"`, false},
		{"$enum: string vs number", `{"$enum": ["1"]}`, `1`, false},
		{"$not: pattern does not match", `{"a": {"$not": "nil?"}}`, `{"a": 1}`, true},
		{"$not: pattern matches", `{"a": {"$not": "nil?"}}`, `{}`, false},
		{"$not: with ordinary keys", `{"$not": {"b": 1}, "a": 1}`, `{"a": 1, "b": 2}`, true},
		{"$not: with ordinary keys, excluded", `{"$not": {"b": 1}, "a": 1}`, `{"a": 1, "b": 1}`, false},
		{"$contains: some element matches", `{"$contains": {"system": "x"}}`, `[{"system": "y"}, {"system": "x", "code": 1}]`, true},
		{"$contains: no element matches", `{"$contains": {"system": "x"}}`, `[{"system": "y"}]`, false},
		{"$contains: subject not an array", `{"$contains": {"system": "x"}}`, `{"system": "x"}`, false},
		{"$contains: missing subject", `{"a": {"$contains": 1}}`, `{}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var subject any
			if c.subject != "" {
				subject = c.subject
			}
			var got bool
			if err := pool.QueryRow(context.Background(), `select policy.matcho($1::jsonb, $2::jsonb)`,
				c.pattern, subject).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("matcho(%s, %s) = %v, want %v", c.pattern, c.subject, got, c.want)
			}
		})
	}
}

func TestPolicySeedBulkClient(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	write(t, pool, "Client", seedClient)
	write(t, pool, "AccessPolicy", seedPolicy)
	// A second client with basic access and no policy of its own.
	write(t, pool, "Client", `{"id": "other", "secret": "other-secret", "grant_types": ["basic"]}`)
	cases := []struct {
		method, uri, want string
	}{
		{"post", "/$dump-sql", "allowed"},
		{"get", "/Patient/$dump", "allowed"},
		{"get", "/Patient/$dump-csv", "allowed"},
		{"post", "/$import", "allowed"},
		{"post", "/fhir/$import", "allowed"},
		{"post", "/$load", "allowed"},
		{"post", "/fhir/$load", "allowed"},
		{"post", "/Patient/$load", "allowed"},
		{"post", "/fhir/Patient/$load", "allowed"},
		{"get", "/Patient/pt-1", "forbidden"},
		{"put", "/Patient/pt-1", "forbidden"},
		{"delete", "/Patient/pt-1", "forbidden"},
		{"get", "/$dump-sql", "forbidden"},
		{"post", "/Patient/$dump", "forbidden"},
		{"get", "/Patient/$dump/x", "forbidden"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.uri, func(t *testing.T) {
			if got := authorize(t, pool, "bulk-client", "secret", c.method, c.uri); got != c.want {
				t.Errorf("bulk-client: %s %s = %s, want %s", c.method, c.uri, got, c.want)
			}
			// The policy is linked to bulk-client only.
			if got := authorize(t, pool, "other", "other-secret", c.method, c.uri); got != "forbidden" {
				t.Errorf("other: %s %s = %s, want forbidden", c.method, c.uri, got)
			}
		})
	}
}

func TestPolicyUnauthenticated(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	write(t, pool, "Client", seedClient)
	write(t, pool, "AccessPolicy", seedPolicy)
	write(t, pool, "Client", `{"id": "no-basic", "secret": "secret", "grant_types": ["client_credentials"]}`)
	write(t, pool, "Client", `{"id": "no-grants", "secret": "secret"}`)
	write(t, pool, "Client", `{"id": "no-secret", "grant_types": ["basic"]}`)
	write(t, pool, "AccessPolicy", `{"id": "everyone", "engine": "allow"}`)
	cases := []struct {
		name, client string
		secret       any
	}{
		{"wrong secret", "bulk-client", "Secret"},
		{"empty secret", "bulk-client", ""},
		{"no secret given", "bulk-client", nil},
		{"the stored hash as the secret", "bulk-client", "$stored"},
		{"unknown client", "nobody", "secret"},
		{"client without basic grant", "no-basic", "secret"},
		{"client without grant_types", "no-grants", "secret"},
		{"client without a secret", "no-secret", ""},
	}
	var stored string
	if err := pool.QueryRow(context.Background(),
		`select resource ->> 'secret' from public.client where id = 'bulk-client'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.secret == "$stored" {
				c.secret = stored
			}
			if got := authorize(t, pool, c.client, c.secret, "post", "/$dump-sql"); got != "unauthenticated" {
				t.Errorf("authorize = %s, want unauthenticated", got)
			}
		})
	}
	if got := authorize(t, pool, "bulk-client", "secret", "post", "/$dump-sql"); got != "allowed" {
		t.Errorf("the right secret: authorize = %s, want allowed", got)
	}
}

func TestPolicyClientSecretHashed(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	write(t, pool, "Client", seedClient)
	storedSecret := func() string {
		t.Helper()
		var s string
		if err := pool.QueryRow(ctx, `select resource ->> 'secret' from public.client where id = 'bulk-client'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	authenticate := func(secret string) bool {
		t.Helper()
		var ok bool
		if err := pool.QueryRow(ctx, `select policy.authenticate('bulk-client', $1)`, secret).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}

	hash := storedSecret()
	if hash == "secret" || !strings.HasPrefix(hash, "$2") {
		t.Fatalf("stored secret %q is not a bcrypt hash", hash)
	}
	if !authenticate("secret") {
		t.Fatal("the secret does not authenticate")
	}
	var read string
	if err := pool.QueryRow(ctx, `select sluice.resource_read('Client', 'bulk-client')::text`).Scan(&read); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(read, "secret\"") || strings.Contains(read, hash) {
		t.Errorf("a read returns the secret: %s", read)
	}

	// Rewriting the row, with SQL or through resource_write with the stored body, keeps the hash.
	if _, err := pool.Exec(ctx, `update public.client set resource = resource || '{"note": "x"}' where id = 'bulk-client'`); err != nil {
		t.Fatal(err)
	}
	if got := storedSecret(); got != hash {
		t.Errorf("rewriting the row changed the hash %q to %q", hash, got)
	}
	if _, err := pool.Exec(ctx, `select sluice.resource_write('Client', 'bulk-client', resource, 'update')
	                             from public.client where id = 'bulk-client'`); err != nil {
		t.Fatal(err)
	}
	if got := storedSecret(); got != hash {
		t.Errorf("writing back the stored body changed the hash %q to %q", hash, got)
	}
	if !authenticate("secret") {
		t.Error("the secret does not authenticate after rewriting the row")
	}

	// A new secret replaces the old one; no version in history holds a plain secret.
	write(t, pool, "Client", `{"id": "bulk-client", "secret": "new-secret", "grant_types": ["basic"]}`)
	if authenticate("secret") || !authenticate("new-secret") {
		t.Error("after changing the secret, the old one should fail and the new one pass")
	}
	if n := count(t, pool, `select count(*) from public.client_history
	                        where resource ->> 'secret' in ('secret', 'new-secret')
	                           or resource ->> 'secret' !~ '^\$2'`); n != 0 {
		t.Errorf("%d history rows hold a plain secret", n)
	}

	// Plain SQL and COPY-like paths are covered by the trigger too.
	if _, err := pool.Exec(ctx, `insert into public.client (id, txid, status, resource)
	                             values ('sql-client', 0, 'created', '{"secret": "plain", "grant_types": ["basic"]}')`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `select count(*) from public.client where resource ->> 'secret' = 'plain'`); n != 0 {
		t.Error("an INSERT stored a plain secret")
	}

	// A secret that is not a string is refused and nothing is written.
	err := writeErr(pool, "Client", `{"id": "bad", "secret": 12345, "grant_types": ["basic"]}`)
	wantSQLState(t, err, "SL422", "secret", "number")
	if n := count(t, pool, `select count(*) from public.client where id = 'bad'`); n != 0 {
		t.Error("a Client with a number secret was written")
	}
}

func TestPolicyAccessPolicyValidation(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	cases := []struct {
		name, policy string
		parts        []string
	}{
		{"missing engine", `{"id": "p"}`, []string{"engine is missing"}},
		{"unknown engine", `{"id": "p", "engine": "sql"}`, []string{"unknown engine", `"sql"`}},
		{"engine not a string", `{"id": "p", "engine": 1}`, []string{"unknown engine", "1"}},
		{"matcho missing", `{"id": "p", "engine": "matcho"}`, []string{"matcho object", "nothing"}},
		{"matcho not an object", `{"id": "p", "engine": "matcho", "matcho": [{"uri": "/x"}]}`, []string{"matcho object", "array"}},
		{"link not an array", `{"id": "p", "engine": "allow", "link": {"id": "c", "resourceType": "Client"}}`, []string{"link must be an array"}},
		{"link item not an object", `{"id": "p", "engine": "allow", "link": ["c"]}`, []string{"link[0]"}},
		{"link item without id", `{"id": "p", "engine": "allow", "link": [{"id": "c"}, {"resourceType": "Client"}]}`, []string{"link[1]", "id"}},
		{"bad regex", `{"id": "p", "engine": "matcho", "matcho": {"uri": "#/(unclosed"}}`, []string{"invalid regular expression", "/(unclosed", "matcho.uri"}},
		{"bad regex deep in $one-of", `{"id": "p", "engine": "matcho", "matcho": {"$one-of": [{"uri": "#ok"}, {"uri": {"$not": "#[z-a]"}}]}}`,
			[]string{"invalid regular expression", "[z-a]", "matcho.$one-of[1].uri.$not"}},
		{"$one-of not an array", `{"id": "p", "engine": "matcho", "matcho": {"uri": {"$one-of": "/x"}}}`, []string{"matcho.uri.$one-of must be an array"}},
		{"$enum not an array", `{"id": "p", "engine": "matcho", "matcho": {"uri": {"$enum": "/x"}}}`, []string{"matcho.uri.$enum must be an array"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantSQLState(t, writeErr(pool, "AccessPolicy", c.policy), "SL422", c.parts...)
			if n := count(t, pool, `select (select count(*) from public.accesspolicy) + (select count(*) from public.accesspolicy_history)`); n != 0 {
				t.Errorf("%d rows written", n)
			}
		})
	}

	// Valid: the seed's policy, and a "#" value in $enum, which is a literal, not a regex.
	write(t, pool, "AccessPolicy", seedPolicy)
	write(t, pool, "AccessPolicy", `{"id": "enum", "engine": "matcho", "matcho": {"uri": {"$enum": ["#(literal"]}}, "link": null}`)

	// An update to an invalid policy is refused and the stored one stays as it was.
	wantSQLState(t, writeErr(pool, "AccessPolicy", `{"id": "bulk-client-dump", "engine": "deny"}`), "SL422", `"deny"`)
	if n := count(t, pool, `select count(*) from public.accesspolicy where id = 'bulk-client-dump' and resource ->> 'engine' = 'matcho'`); n != 1 {
		t.Error("the refused update changed the stored policy")
	}
	if n := count(t, pool, `select count(*) from public.accesspolicy_history`); n != 0 {
		t.Errorf("the refused update left %d history rows", n)
	}
}

func TestPolicyLinks(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	for _, id := range []string{"a", "b", "c"} {
		write(t, pool, "Client", `{"id": "`+id+`", "secret": "s-`+id+`", "grant_types": ["basic"]}`)
	}
	// No link: applies to every client.
	write(t, pool, "AccessPolicy", `{"id": "read-everyone", "engine": "matcho", "matcho": {"request-method": "get"}}`)
	// engine allow, linked to a only.
	write(t, pool, "AccessPolicy", `{"id": "a-all", "engine": "allow", "link": [{"id": "a", "resourceType": "Client"}]}`)
	// A link without resourceType counts as a Client.
	write(t, pool, "AccessPolicy", `{"id": "b-load", "engine": "matcho", "matcho": {"uri": "/$load"}, "link": [{"id": "b"}]}`)
	// A link to another resource type with c's id does not apply to Client c; an empty link
	// applies to nobody.
	write(t, pool, "AccessPolicy", `{"id": "user-c", "engine": "allow", "link": [{"id": "c", "resourceType": "User"}]}`)
	write(t, pool, "AccessPolicy", `{"id": "empty-link", "engine": "allow", "link": []}`)

	cases := []struct {
		client, method, uri, want string
	}{
		{"a", "get", "/Patient/pt-1", "allowed"},
		{"b", "get", "/Patient/pt-1", "allowed"},
		{"c", "get", "/Patient/pt-1", "allowed"},
		{"a", "delete", "/Patient/pt-1", "allowed"},
		{"b", "delete", "/Patient/pt-1", "forbidden"},
		{"c", "delete", "/Patient/pt-1", "forbidden"},
		{"b", "post", "/$load", "allowed"},
		{"c", "post", "/$load", "forbidden"},
	}
	for _, c := range cases {
		if got := authorize(t, pool, c.client, "s-"+c.client, c.method, c.uri); got != c.want {
			t.Errorf("%s: %s %s = %s, want %s", c.client, c.method, c.uri, got, c.want)
		}
	}
}

func TestPolicyNoPolicy(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	write(t, pool, "Client", seedClient)
	if got := authorize(t, pool, "bulk-client", "secret", "get", "/Patient/$dump"); got != "forbidden" {
		t.Errorf("with no policy: %s, want forbidden", got)
	}
	write(t, pool, "AccessPolicy", `{"id": "all", "engine": "allow"}`)
	if got := authorize(t, pool, "bulk-client", "secret", "delete", "/Patient/pt-1"); got != "allowed" {
		t.Errorf("with an engine allow policy and no link: %s, want allowed", got)
	}
}

func TestPolicyMigration(t *testing.T) {
	t.Parallel()
	up, err := os.ReadFile("../migrations/000002_policy.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	down, err := os.ReadFile("../migrations/000002_policy.down.sql")
	if err != nil {
		t.Fatal(err)
	}

	pool := pgtest.NewPool(t)
	ctx := context.Background()
	objects := `select (select count(*) from pg_namespace where nspname = 'policy')
	                 + (select count(*) from pg_trigger where tgname in ('client_secret_hash', 'accesspolicy_check'))`
	if n := count(t, pool, objects); n != 4 {
		t.Fatalf("after up: %d of the schema and 3 triggers", n)
	}
	if _, err := pool.Exec(ctx, string(down)); err != nil {
		t.Fatalf("down: %v", err)
	}
	if n := count(t, pool, objects); n != 0 {
		t.Fatalf("down left %d of the schema and triggers", n)
	}
	if _, err := pool.Exec(ctx, string(up)); err != nil {
		t.Fatalf("up again: %v", err)
	}
	write(t, pool, "Client", seedClient)
	write(t, pool, "AccessPolicy", seedPolicy)
	if got := authorize(t, pool, "bulk-client", "secret", "get", "/Patient/$dump"); got != "allowed" {
		t.Errorf("after down and up: %s, want allowed", got)
	}
}

// policy.matcho_names: a pattern names a value only through a literal (or $enum) on the path,
// in some branch that matches; regexes and predicates never name anything.
func TestPolicyMatchoNames(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	subject := `{"uri": "/AccessPolicy/x", "request-method": "put", "params": {"resource/type": "AccessPolicy", "resource/id": "x"}}`
	cases := []struct {
		name, pattern string
		want          bool
	}{
		{"literal", `{"params": {"resource/type": "AccessPolicy"}}`, true},
		{"literal with other keys", `{"request-method": "put", "params": {"resource/type": "AccessPolicy", "resource/id": "x"}}`, true},
		{"$enum", `{"params": {"resource/type": {"$enum": ["Client", "AccessPolicy"]}}}`, true},
		{"in a matching $one-of branch", `{"$one-of": [{"uri": "/other"}, {"params": {"resource/type": "AccessPolicy"}}]}`, true},
		{"$one-of of literals at the value", `{"params": {"resource/type": {"$one-of": ["Client", "AccessPolicy"]}}}`, true},
		{"regex", `{"params": {"resource/type": "#AccessPolicy"}}`, false},
		{"present?", `{"params": {"resource/type": "present?"}}`, false},
		{"uri alone", `{"uri": "/AccessPolicy/x"}`, false},
		{"matching branch without the name", `{"$one-of": [{"uri": "#.*"}, {"params": {"resource/type": "Client"}}]}`, false},
		{"names it but does not match", `{"request-method": "get", "params": {"resource/type": "AccessPolicy"}}`, false},
		{"everything", `{}`, false},
	}
	for _, c := range cases {
		var got bool
		if err := pool.QueryRow(context.Background(), `select policy.matcho_names($1::jsonb, $2::jsonb, '{params,resource/type}')`,
			c.pattern, subject).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: matcho_names(%s) = %v, want %v", c.name, c.pattern, got, c.want)
		}
	}
}

// Writes of Client and AccessPolicy, on their own or as Bundle entries and PUT / items, pass
// only a matcho policy that names the type; engine allow still allows everything else.
func TestPolicyGuardedWrites(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	write(t, pool, "Client", `{"id": "c", "secret": "s", "grant_types": ["basic"]}`)
	write(t, pool, "AccessPolicy", `{"id": "all", "engine": "allow", "link": [{"id": "c"}]}`)
	for _, c := range []struct{ method, uri, want string }{
		{"put", "/AccessPolicy/x", "forbidden"},
		{"post", "/Client", "forbidden"},
		{"delete", "/fhir/Client/c", "forbidden"},
		{"get", "/AccessPolicy/x", "allowed"},
		{"put", "/Patient/x", "allowed"},
	} {
		if got := authorize(t, pool, "c", "s", c.method, c.uri); got != c.want {
			t.Errorf("engine allow: %s %s = %s, want %s", c.method, c.uri, got, c.want)
		}
	}
	outer := request(t, "c", "post", "/")
	var refused []int32
	if err := pool.QueryRow(context.Background(), `select coalesce(array_agg(entry), '{}') from policy.refused_entries('c', $1::jsonb, $2::jsonb)`, outer,
		`[{"request": {"method": "PUT", "url": "/Patient/p"}, "resource": {}},
		  {"request": {"method": "put", "url": "AccessPolicy/x?y=1"}, "resource": {}},
		  {"request": {"method": "GET", "url": "/Client/c"}},
		  {"request": {"method": "DELETE", "url": "/Client/c"}}]`).Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(refused) != "[1 3]" {
		t.Errorf("refused entries %v, want [1 3]", refused)
	}
	if err := pool.QueryRow(context.Background(), `select coalesce(array_agg(entry), '{}') from policy.refused_items('c', $1::jsonb, $2::jsonb)`, outer,
		`[{"resourceType": "Patient", "id": "p"}, {"resourceType": "Client", "id": "c"}]`).Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(refused) != "[1]" {
		t.Errorf("refused items %v, want [1]", refused)
	}
	// A client allowed to POST a Bundle and nothing else runs none of its entries, reads included.
	write(t, pool, "Client", `{"id": "poster", "secret": "s", "grant_types": ["basic"]}`)
	write(t, pool, "AccessPolicy", `{"id": "post-only", "engine": "matcho", "link": [{"id": "poster"}],
		"matcho": {"uri": "/", "request-method": "post"}}`)
	if err := pool.QueryRow(context.Background(), `select coalesce(array_agg(entry), '{}') from policy.refused_entries('poster', $1::jsonb, $2::jsonb)`,
		request(t, "poster", "post", "/"),
		`[{"request": {"method": "GET", "url": "/Patient/p"}},
		  {"request": {"method": "PUT", "url": "/Patient/p"}, "resource": {}}]`).Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(refused) != "[0 1]" {
		t.Errorf("post-only client: refused entries %v, want [0 1]", refused)
	}
	write(t, pool, "AccessPolicy", `{"id": "named", "engine": "matcho", "link": [{"id": "c"}],
		"matcho": {"params": {"resource/type": "AccessPolicy"}, "request-method": "put"}}`)
	if got := authorize(t, pool, "c", "s", "put", "/AccessPolicy/x"); got != "allowed" {
		t.Errorf("with a policy that names AccessPolicy: %s, want allowed", got)
	}
	if got := authorize(t, pool, "c", "s", "put", "/Client/c"); got != "forbidden" {
		t.Errorf("a policy that names AccessPolicy allowed a Client write: %s", got)
	}
}

// bcrypt cost 10, for stored secrets and for the dummy hash of unknown clients; the fingerprint
// of a verified secret spares bcrypt until the stored hash changes.
func TestPolicyVerifiedSecret(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	write(t, pool, "Client", seedClient)
	var stored, fingerprint string
	if err := pool.QueryRow(ctx, `select resource ->> 'secret', policy.secret_fingerprint(resource ->> 'secret') from public.client`).Scan(&stored, &fingerprint); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$2a$10$") {
		t.Errorf("stored hash %s... is not bcrypt cost 10", stored[:7])
	}
	verify := func(secret string, known any) (string, time.Duration) {
		t.Helper()
		var v *string
		start := time.Now()
		if err := pool.QueryRow(ctx, `select policy.verified_secret('bulk-client', $1, $2)`, secret, known).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			return "", time.Since(start)
		}
		return *v, time.Since(start)
	}
	got, slow := verify("secret", nil)
	if got != fingerprint {
		t.Fatalf("verified_secret = %q, want the fingerprint %q", got, fingerprint)
	}
	if got, _ := verify("wrong", nil); got != "" {
		t.Error("a wrong secret verified")
	}
	_, fast := verify("secret", fingerprint)
	t.Logf("bcrypt %v, with the fingerprint %v", slow, fast)
	// Unknown clients cost a bcrypt of the same cost.
	var unknown time.Duration
	start := time.Now()
	if _, err := pool.Exec(ctx, `select policy.verified_secret('nobody', 'secret')`); err != nil {
		t.Fatal(err)
	}
	unknown = time.Since(start)
	t.Logf("unknown client %v", unknown)
	if unknown < slow/3 {
		t.Errorf("an unknown client took %v against %v for a known one: the time tells which ids exist", unknown, slow)
	}
	// A new secret: the old fingerprint no longer vouches for anything.
	write(t, pool, "Client", `{"id": "bulk-client", "secret": "other", "grant_types": ["basic"]}`)
	if got, _ := verify("secret", fingerprint); got != "" {
		t.Error("the old secret with the old fingerprint verified after the secret changed")
	}
	if got, _ := verify("other", fingerprint); got == "" || got == fingerprint {
		t.Errorf("the new secret: %q, want a new fingerprint", got)
	}
}
