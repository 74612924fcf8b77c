package bulk

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

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
		st := newStager(strings.NewReader(line+"\n"), "Patient", false, loadLimits{maxBytes: 1 << 20, maxLines: 10})
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
