// SQL-level tests: the functions of sql/ called directly, as a psql user would, on a real
// PostgreSQL built by the migrations.
package sql_test

import (
	"testing"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
