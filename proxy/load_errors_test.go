package proxy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/sluice-fhir/sluice/proxy"
)

// skipAnswer is a $load answer with "on-error": "skip".
type skipAnswer struct {
	Total    int64 `json:"total"`
	Problems int64 `json:"problems"`
	DryRun   bool  `json:"dry-run"`
	Outcome  struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Severity, Code, Diagnostics string
		} `json:"issue"`
	} `json:"outcome"`
}

// badLine is a line of a test source that a skip load must report, and why.
type badLine struct{ line, want string }

// skipSource is good lines (ids good-<n>) with the bad ones at known places; it returns the
// source, the line numbers of the bad ones and the ids of the good ones.
func skipSource(bad map[int]badLine, n int, line func(id string) string) ([]byte, []int, []string) {
	var ls []string
	var badAt []int
	var good []string
	for i := 1; i <= n; i++ {
		if b, ok := bad[i]; ok {
			ls = append(ls, b.line)
			badAt = append(badAt, i)
			continue
		}
		id := fmt.Sprintf("good-%d", i)
		ls = append(ls, line(id))
		good = append(good, id)
	}
	sort.Ints(badAt)
	return lines(ls...), badAt, good
}

// checkProblems checks that the answer reports exactly the bad lines, in order, each by its
// number and reason.
func checkProblems(t *testing.T, answer skipAnswer, bad map[int]badLine, badAt []int) {
	t.Helper()
	if answer.Problems != int64(len(badAt)) || len(answer.Outcome.Issue) != len(badAt) || answer.Outcome.ResourceType != "OperationOutcome" {
		t.Fatalf("%d problems, %d issues, want %d: %+v", answer.Problems, len(answer.Outcome.Issue), len(badAt), answer)
	}
	for i, at := range badAt {
		d := answer.Outcome.Issue[i].Diagnostics
		if !strings.HasPrefix(d, fmt.Sprintf("line %d: ", at)) || !strings.Contains(d, bad[at].want) || answer.Outcome.Issue[i].Severity != "error" {
			t.Errorf("issue %d is %q, want line %d and %q", i, d, at, bad[at].want)
		}
	}
}

// The ids stored in table, sorted.
func (s *testServer) storedIDs(table string) []string {
	s.t.Helper()
	ids := s.loadValue("select coalesce(array_agg(id order by id collate \"C\"), '{}') from " + table).([]any)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.(string)
	}
	return out
}

func sortedCopy(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// Each kind of bad line, at a known place among good ones: a load with skip reports exactly
// those lines and reasons and writes exactly the good lines; a dry run reports the same and
// writes nothing; without skip the first bad line still fails the whole load.
func TestLoadSkipBadLines(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	deep := `{"resourceType":"Patient","id":"deep","n":` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + `}`
	for _, c := range []struct {
		name, path, table string
		bad               map[int]badLine
		good              func(id string) string
	}{
		{"Aidbox", "/Patient/$load", "public.patient", map[int]badLine{
			2:  {`{"resourceType":"Patient","id":"x",`, "not JSON"},
			5:  {`hello`, "not JSON"},
			6:  {`{"resourceType":"Patient","name":[]}`, "no id"},
			9:  {`{"resourceType":"Observation","id":"x"}`, "does not match"},
			11: {"{\"resourceType\":\"Patient\",\"id\":\"u\",\"n\":\"\xff\"}", "not UTF-8"},
			12: {`{"resourceType":"Patient","id":"x","active":tru}`, "not JSON"},
			13: {`{"resourceType":"Patient","id":"x","note":"a\u0000b"}`, "not JSON"},
			17: {`{"resourceType":"Patient","id":"x","meta":{"createdAt":"2020-13-45"}}`, "meta.createdAt"},
			18: {deep, "not JSON"},
			20: {`{"resourceType":"Patient","id":"a b"}`, "invalid id"},
		}, func(id string) string { return fmt.Sprintf(`{"resourceType":"Patient","id":%q,"active":true}`, id) }},
		{"untyped", "/$load", "public.patient", map[int]badLine{
			1: {`{"id":"x"}`, "no resourceType"},
			4: {`{"resourceType":"Nonsense","id":"x"}`, "unknown resourceType"},
			7: {`{"resourceType":"Patient","id":"x","meta":{"createdAt":"2020-01-01 10:00 Mars"}}`, "meta.createdAt"},
			8: {`{"resourceType":"Organization","id":"x","meta":{"createdAt":7}}`, "meta.createdAt"}, // its type on no good line
		}, func(id string) string { return fmt.Sprintf(`{"resourceType":"Patient","id":%q}`, id) }},
		{"FHIR", "/fhir/Patient/$load", "public.patient", map[int]badLine{
			3: {`{"resourceType":"Patient","id":"x","name":[{"given":[tru]}]}`, "not JSON"},
			4: {`{"resourceType":"Patient","id":"x","note":"\ud800"}`, "not JSON"},
			8: {deep, "not JSON"},
			9: {`{"resourceType":"Observation","id":"x"}`, "does not match"},
		}, func(id string) string { return fmt.Sprintf(`{"resourceType":"Patient","id":%q,"active":true}`, id) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, badAt, good := skipSource(c.bad, 22, c.good)
			url := src.add("/skip-"+c.name+".ndjson", data)
			ts.Pool.Exec(t.Context(), "truncate "+c.table)

			// Without skip: a bad line fails all of it, as before (the stager's before the
			// database's, so not always the first).
			body := ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: c.path, body: loadBody(url, "")})
			named := false
			for _, at := range badAt {
				named = named || strings.Contains(string(body), fmt.Sprintf(`line %d: `, at))
			}
			if !named {
				t.Errorf("fail mode: %s", body)
			}
			if n := ts.loadRows(c.table); n != 0 {
				t.Fatalf("fail mode wrote %d rows", n)
			}

			// A dry run: the same answer, nothing written.
			var dry skipAnswer
			body = ts.expect(http.StatusOK, request{method: "POST", path: c.path, body: loadBody(url, `"on-error":"skip","dry-run":true`)})
			if err := json.Unmarshal(body, &dry); err != nil {
				t.Fatal(err)
			}
			checkProblems(t, dry, c.bad, badAt)
			if !dry.DryRun || (c.path != "/$load" && dry.Total != int64(len(good))) {
				t.Errorf("dry run: %s", body)
			}
			if n := ts.loadRows(c.table); n != 0 {
				t.Fatalf("a dry run wrote %d rows", n)
			}
			ts.noStagingTables()

			var answer skipAnswer
			body = ts.expect(http.StatusOK, request{method: "POST", path: c.path, body: loadBody(url, `"on-error":"skip"`)})
			if err := json.Unmarshal(body, &answer); err != nil {
				t.Fatal(err)
			}
			checkProblems(t, answer, c.bad, badAt)
			if c.path == "/$load" {
				var counts map[string]any
				json.Unmarshal(body, &counts)
				if counts["Patient"] != float64(len(good)) || counts["Organization"] != nil {
					t.Errorf("counts: %s", body)
				}
			} else if answer.Total != int64(len(good)) || answer.DryRun {
				t.Errorf("answer: %s", body)
			}
			if got, want := ts.storedIDs(c.table), sortedCopy(good); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("stored %v, want %v", got, want)
			}
			ts.noStagingTables()
		})
	}
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/Patient/$load", body: loadBody(src.URL+"/x", `"on-error":"ignore"`)})
}

// $load lists the first 100 bad lines and counts them all.
func TestLoadSkipManyBadLines(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	var ls []string
	for i := 1; i <= 250; i++ {
		if i%2 == 0 {
			ls = append(ls, `{"resourceType":"Patient"}`)
		} else {
			ls = append(ls, fmt.Sprintf(`{"resourceType":"Patient","id":"p%d"}`, i))
		}
	}
	url := src.add("/many.ndjson", lines(ls...))
	var answer skipAnswer
	body := ts.expect(http.StatusOK, request{method: "POST", path: "/Patient/$load", body: loadBody(url, `"on-error":"skip"`)})
	json.Unmarshal(body, &answer)
	if answer.Problems != 125 || len(answer.Outcome.Issue) != 100 || answer.Total != 125 ||
		answer.Outcome.Issue[99].Diagnostics != "line 200: no id" {
		t.Errorf("%d problems, %d shown, %d written", answer.Problems, len(answer.Outcome.Issue), answer.Total)
	}
	if n := ts.loadRows("public.patient"); n != 125 {
		t.Errorf("%d patients", n)
	}
}

// $import with "on-error": "skip": each input's good lines written, its bad lines counted in the
// status and all of them readable as NDJSON at its errorsUrl (more than one page of them).
func TestImportSkipErrors(t *testing.T) {
	t.Parallel()
	src := newSources(t)
	ts := newLoadServer(t, proxy.Config{})
	var ls []string
	var want []string
	for i := 1; i <= 1205; i++ { // more than a page of importErrors
		if i%3 == 0 {
			ls = append(ls, `{"name":[]}`)
			want = append(want, fmt.Sprintf("line %d: no id", i))
		} else {
			ls = append(ls, fmt.Sprintf(`{"id":"p%d"}`, i))
		}
	}
	patients := src.add("/p.ndjson", lines(ls...))
	orgs := src.add("/o.ndjson", lines(`{"id":"o1"}`, `{"id":"o2","meta":{"createdAt":"never"}}`))
	ts.expect(http.StatusUnprocessableEntity, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"on-error":"maybe","inputs":[{"resourceType":"Patient","url":%q}]}`, patients)})
	ts.expect(http.StatusOK, request{method: "POST", path: "/$import", body: fmt.Sprintf(
		`{"id":"skip","on-error":"skip","inputs":[{"resourceType":"Patient","url":%q},{"resourceType":"Organization","url":%q}]}`,
		patients, orgs)})
	status := waitImport(t, ts, "skip")
	inputs := status["inputs"].([]any)
	p, o := inputs[0].(map[string]any), inputs[1].(map[string]any)
	if status["status"] != "finished" || p["total"] != float64(1205-len(want)) || p["errors"] != float64(len(want)) ||
		p["errorsUrl"] != "/$import-errors/skip/0" || o["total"] != float64(1) || o["errors"] != float64(1) {
		t.Fatalf("status: %v", status)
	}
	if n := ts.loadRows("public.patient"); n != int64(1205-len(want)) {
		t.Errorf("%d patients", n)
	}
	for url, wantLines := range map[string][]string{"/$import-errors/skip/0": want, "/$import-errors/skip/1": {"line 2: meta.createdAt"}} {
		resp, body := ts.do(request{method: "GET", path: url})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/fhir+ndjson" {
			t.Fatalf("%s: %d %s", url, resp.StatusCode, body)
		}
		got := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		if len(got) != len(wantLines) {
			t.Fatalf("%s: %d lines, want %d", url, len(got), len(wantLines))
		}
		for i, l := range got {
			var oo struct {
				ResourceType string
				Issue        []struct{ Diagnostics string }
			}
			if err := json.Unmarshal([]byte(l), &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 ||
				!strings.HasPrefix(oo.Issue[0].Diagnostics, wantLines[i]) {
				t.Fatalf("%s line %d: %s, want %q", url, i+1, l, wantLines[i])
			}
		}
	}
	ts.expect(http.StatusNotFound, request{method: "GET", path: "/$import-errors/skip/7"})
	ts.expect(http.StatusNotFound, request{method: "GET", path: "/$import-errors/nope/0"})
}
