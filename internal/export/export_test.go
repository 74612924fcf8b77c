package export

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/pgtest"
	"github.com/sluice-fhir/sluice/internal/status"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The engines on their own, without HTTP: a snapshot of a type into a plain writer, opened only
// once the type is known.
func TestDumpAndCSVIntoAWriter(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	q := gen.New()
	if _, err := q.ResourcesPut(ctx, pool, []byte(`[{"resourceType":"Patient","id":"a","name":[{"family":"A"}]},
		{"resourceType":"Patient","id":"b","active":true}]`)); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	opened := 0
	open := func() io.Writer { opened++; return &out }
	rows, err := Dump(ctx, pool, q, "Patient", false, time.Time{}, open)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if opened != 1 || len(lines) != 2 || rows != 2 || !strings.Contains(out.String(), `"family"`) {
		t.Errorf("opened %d times, dump:\n%s", opened, out.String())
	}

	out.Reset()
	if _, err := Dump(ctx, pool, q, "Patient", true, time.Now().Add(time.Hour), open); err != nil || out.Len() != 0 {
		t.Errorf("_since in the future: %v, %q", err, out.String())
	}

	out.Reset()
	if err := CSV(ctx, pool, q, "Patient", open); err != nil {
		t.Fatal(err)
	}
	csvLines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(csvLines) != 3 || csvLines[0] != "active,id,name.0.family,resourceType" {
		t.Errorf("csv:\n%s", out.String())
	}

	// An unknown type fails before anything is opened, with its status for the caller.
	opened = 0
	for _, run := range []func() error{
		func() error { _, err := Dump(ctx, pool, q, "NoSuchType", false, time.Time{}, open); return err },
		func() error { return CSV(ctx, pool, q, "NoSuchType", open) },
	} {
		if err := run(); err == nil || opened != 0 {
			t.Errorf("unknown type: %v, opened %d", err, opened)
		}
	}
}

func TestParseSince(t *testing.T) {
	for in, want := range map[string]string{
		"2021-06-09":                "2021-06-09T00:00:00Z",
		"2021-06-09T11:07:23 03:00": "2021-06-09T08:07:23Z", // an unencoded '+' arrives as a space
		"2021-06-09T11:07":          "2021-06-09T11:07:00Z",
	} {
		got, err := ParseSince(in)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("ParseSince(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	_, err := ParseSince("yesterday")
	var se *status.Error
	if !errors.As(err, &se) || se.Code != http.StatusBadRequest {
		t.Errorf("a bad _since: %v", err)
	}
}
