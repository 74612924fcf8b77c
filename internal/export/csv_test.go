package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/bulk"
	"github.com/sluice-fhir/sluice/internal/pgtest"
)

// csvChecksums are the sha256 of $dump-csv's output for every type of the 100-patient set
// (testdata/synthea-100, loaded as /fhir/$load loads it), recorded from the current engine
// (paths in SQL, rows laid out in Go) so that a faster one must write the same bytes: the
// header line as is, and the rest of the output with its lines sorted (the rows come in the
// table's order, which a parallel load does not fix).
var csvChecksums = map[string]string{
	"AllergyIntolerance":   "1396b75a8cf0898fe4b7fb7fcd423e7112e81bc0bd26ae982cf1c93fb5f1a640",
	"CarePlan":             "a5d0e10f5670f320f9125f671ef7ba4682e80544966327fee1cd91143679a9c8",
	"CareTeam":             "c86600556c89ef76e5961767658dc7ee3768c14fa9b27385eaec60e933a7cf99",
	"Claim":                "6ece4fbcd050fb41fb72d55750ea66d2566631afcaa37712e3057c4b024a58d1",
	"Condition":            "206ba2d1edc6d2db8d46db5a439069d66e9de88606a62452284a2dde80be5152",
	"Device":               "bd6fbbd96ae2c52ca400caef9947b7611db459617972a60700e1cc4bdc26db41",
	"DiagnosticReport":     "12906d7cf7cb7f51a6d0d54ad47a51efac7f6d42391f7adbd37d73f5f53e90b7",
	"Encounter":            "cf966946baef015ae2a3db96609411834b1259752edaff6477b71efdcd1a3cb5",
	"ExplanationOfBenefit": "1362d6abe2cfe901a3dfdb2c632767679cc04c1f0eb80d1ec270637769b1a127",
	"Group":                "b2d8272ea71df0e90b4f0b006aca73d8ccd6afeb9a726ecd1e1ea69b6b6cd4d3",
	"ImagingStudy":         "1ea364c4448a6fd17c949b72550582fbacf815ed85a35929f352c825851083f1",
	"Immunization":         "a8d8fa6189d7eafb2212086de6b8d3c5d82e4e2b5180c75b06179a7edda76bfc",
	"MedicationRequest":    "4a52010e5342798734c68cf6322343fdee73a1924f7c72c946d4ae026bfc31c2",
	"Observation":          "1a9e1ee29394a06625ae1b00d63e210115bfd7a8556ca9f06a28dd5df3a69076",
	"Organization":         "fbf7c37519aeb5fa58de44e3cd8be957490cecea33a72d20f3394b12c0276629",
	"Patient":              "bd81682fe1fa6dcd06052b456e98310f58fd189ee2c2078b85fcf9aafe0ab2f4",
	"Practitioner":         "f227f24452c8606d8a26df23fa8d4716ce338a09189d66f4de07f7289d7189dc",
	"Procedure":            "f04505eaab0233aa4f856950b9e02e5d114fe988d697b62f098f7d8bcd089eef",
}

// TestCSVSynthea100Unchanged: $dump-csv writes, for every type of the 100-patient set, exactly
// the bytes it wrote before (csvChecksums).
func TestCSVSynthea100Unchanged(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads the 100-patient set")
	}
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	q := gen.New()
	files, err := filepath.Glob("../../testdata/synthea-100/*.ndjson.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("the 100-patient set: %v", err)
	}
	var types []string
	for _, file := range files {
		typ := strings.TrimSuffix(filepath.Base(file), ".ndjson.gz")
		types = append(types, typ)
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := bulk.Load(ctx, tx, q, bulk.Spec{ResourceType: typ, FHIR: true, Operator: true}, zr,
				bulk.Limits{MaxBytes: 1 << 32, MaxLines: 1 << 30, MaxDuration: time.Hour})
			return err
		})
		f.Close()
		if err != nil {
			t.Fatalf("loading %s: %v", typ, err)
		}
	}
	got := map[string]string{}
	for _, typ := range types {
		var out bytes.Buffer
		if err := CSV(ctx, pool, q, typ, func() io.Writer { return &out }); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		got[typ] = csvChecksum(out.Bytes())
		if want := csvChecksums[typ]; got[typ] != want {
			t.Errorf("%s: $dump-csv checksum %s, want %s", typ, got[typ], want)
		}
	}
	if t.Failed() {
		for _, typ := range types {
			t.Logf("%q: %q,", typ, got[typ])
		}
	}
}

// csvChecksum is the sha256 of a CSV's header line, a newline, and its other lines sorted
// bytewise.
func csvChecksum(out []byte) string {
	header, rest, _ := bytes.Cut(out, []byte("\n"))
	lines := bytes.Split(rest, []byte("\n"))
	slices.SortFunc(lines, bytes.Compare)
	h := sha256.New()
	h.Write(header)
	h.Write([]byte("\n"))
	h.Write(bytes.Join(lines, []byte("\n")))
	return hex.EncodeToString(h.Sum(nil))
}
