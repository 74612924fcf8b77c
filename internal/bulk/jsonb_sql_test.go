package bulk

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// The stager's jsonb rule (checkJSONB over json.Valid JSON) and PostgreSQL's jsonb input must
// give every line the same verdict, or a COPY could fail on a line the stager let through.
func TestJSONBRuleMatchesSQL(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	if json.Valid([]byte(`{"x":` + nested(10000) + `}`)) {
		t.Error("json.Valid takes 10,001 levels of nesting: PostgreSQL may not, checkJSONB must bound it")
	}
	for _, value := range []string{
		`"plain"`, `"caf\u00e9"`, `"\u20ac"`, `"\ud83d\ude00"`, `"a\\u0000"`, `"\\ud800"`, `"\"\u0041"`,
		`"\u0000"`, `"x\u0000y"`, `"\ud800"`, `"\udc00"`, `"\ud800x"`, `"\ud800\u0041"`, `"\ude00\ud83d"`, `"\ud83d\ud83d"`,
		`0`, `-0`, `1.5`, `-12.25e3`, `1E400`, `1e1000`, `1e131071`, `1e131072`, `9.99e131071`, `10e131071`,
		`0.001e131073`, `0.001e131074`, `0e999999`, `0e1073741822`, `0e1073741823`, `0e-1073741822`, `0e-1073741823`, `0.0e-2000000000`,
		`1e-16383`, `1e-16384`, `1.5e-16382`, `1.5e-16383`, `0.00001`, `1e-1000000000`, `0e-16384`,
		`123456789012345678901234567890`, `[1, {"a": [2e10, -3.0e-5]}]`,
		nested(100), nested(9998), // the line's own object makes 9,999 levels: json.Valid's limit is 10,000
	} {
		line := `{"id":"a","resourceType":"Patient","x":` + value + `}`
		if !json.Valid([]byte(line)) {
			t.Fatalf("not valid JSON, so not a case: %s", value)
		}
		goErr := checkJSONB([]byte(line))
		var sqlAccepts bool
		err := pool.QueryRow(ctx, `select $1::jsonb is not null`, line).Scan(&sqlAccepts)
		if err != nil && !strings.Contains(err.Error(), "SQLSTATE") {
			t.Fatalf("%s: %v", value, err)
		}
		if (goErr == nil) != (err == nil) {
			short := value
			if len(short) > 40 {
				short = short[:40] + "..."
			}
			t.Errorf("%s: the stager says %v, PostgreSQL %v", short, goErr, err)
		}
	}
}
