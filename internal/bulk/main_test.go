package bulk

import (
	"testing"

	"github.com/sluice-fhir/sluice/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
