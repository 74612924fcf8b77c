package bulk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// The stager leaves in resource exactly the body the resource table stores (without id,
// resourceType and the meta fields the row's columns hold); sluice.resource_body is SQL's rule
// for it, which REST writes use. The same lines through both must give the same body.
func TestStagedBodyMatchesSQL(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	for _, line := range []string{
		`{"id":"a"}`,
		`{"id":"a","resourceType":"Patient","gender":"male"}`,
		`{"resourceType":"Patient","id":"a","name":[{"given":["x"]}],"active":true}`,
		`{"id":"a","meta":{"versionId":"1","lastUpdated":"2020-01-01T00:00:00Z"}}`,
		`{"id":"a","meta":{"createdAt":"2020-01-01T00:00:00Z","tag":[{"code":"x"}]}}`,
		`{"id":"a","meta":{}}`,
		`{"id":"a","meta":{"profile":["p"]},"b":{"id":"inner","meta":1}}`,
		`{"meta":{"source":"s","versionId":"7"},"id":"a"}`,
		`{"id":"a","meta":"text"}`,
		`{"id":"a","meta":null,"x":1}`,
		`{"id":"a","meta":[{"tag":1}]}`,
	} {
		st := newStager(strings.NewReader(line+"\n"), "Patient", false, false, loadLimits{maxBytes: 1 << 20, maxLines: 10})
		out, err := io.ReadAll(st)
		if failure := st.failure(); failure != nil || err != nil {
			t.Errorf("%s: the stager refused it: %v %v", line, failure, err)
			continue
		}
		fields := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\x02"))
		if len(fields) != 5 {
			t.Fatalf("%s: staged %q", line, out)
		}
		var same bool
		var want string
		if err := pool.QueryRow(ctx, `select $1::jsonb = sluice.resource_body($2::jsonb), sluice.resource_body($2::jsonb)::text`,
			string(fields[4]), line).Scan(&same, &want); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if !same {
			t.Errorf("%s: the stager stores %s, sluice.resource_body %s", line, fields[4], want)
		}
	}
}

// A COPY of text refuses a row that is not UTF-8, and its error names the row only in its
// CONTEXT text, so the stager refuses such a line first, with its own line number. Its rule
// must be PostgreSQL's: the same byte sequences through both must get the same verdict.
func TestStagerUTF8MatchesSQL(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	for _, text := range []string{
		"plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbe", "\xf4\x8f\xbf\xbf",
		"\xff", "\xc3", "\xe9t\xe9", "\xc0\xaf", "\xe0\x80\xaf", // a lone byte, cut short, Latin-1, overlong
		"\xed\xa0\x80", "\xed\xbf\xbf", // UTF-16 surrogates encoded
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\x80", // above U+10FFFF, five bytes, a continuation byte
	} {
		line := `{"id":"a","resourceType":"Patient","x":"` + text + `"}`
		st := newStager(strings.NewReader(line+"\n"), "", false, false, loadLimits{maxBytes: 1 << 20, maxLines: 10})
		_, _ = io.ReadAll(st)
		goAccepts := st.failure() == nil
		var sqlAccepts bool
		if err := pool.QueryRow(ctx, `select convert_from($1::bytea, 'UTF8') is not null`, []byte(line)).Scan(&sqlAccepts); err != nil {
			var pg *pgconn.PgError
			if !errors.As(err, &pg) || pg.Code != "22021" { // character_not_in_repertoire
				t.Fatalf("%q: %v", text, err)
			}
		}
		if goAccepts != sqlAccepts {
			t.Errorf("%q: the stager accepts it: %v, PostgreSQL: %v (%v)", text, goAccepts, sqlAccepts, st.failure())
		}
	}
}
