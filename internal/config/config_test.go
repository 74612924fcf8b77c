package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDefaultsParse(t *testing.T) {
	c := Default() // panics on a default that does not parse
	if c.Listen != "127.0.0.1:8080" || c.Server.AdminID != "admin" || c.Server.MaxBodyBytes != 32<<20 ||
		c.Server.DumpSQLTimeout != 5*time.Minute || c.Server.LoadMaxBytes != 64<<30 || c.Server.SourceAllowPrivate {
		t.Errorf("defaults: %+v", c)
	}
	if c.Server.SourceAllow != nil || c.Server.AdminSecret != "" || c.DatabaseURL != "" {
		t.Errorf("settings without a default are set: %+v", c)
	}
}

// WithDefaults gives a zero Server exactly what an empty environment gives.
func TestWithDefaultsIsTheTable(t *testing.T) {
	d := Default().Server
	d.AdminID = "" // the operator is the command's to name, not a server default
	if got := (Server{}).WithDefaults(); !equalServers(got, d) {
		t.Errorf("zero Server with defaults:\n%+v\nwant\n%+v", got, d)
	}
	// Negative values that mean "off" stay.
	s := Server{MinTransferRate: -1, DumpSQLMaxBytes: -1, AuthCacheTTL: -1, AuthMaxFailures: -1, ImportPerClient: -1}.WithDefaults()
	if s.MinTransferRate != -1 || s.DumpSQLMaxBytes != -1 || s.AuthCacheTTL != -1 || s.AuthMaxFailures != -1 || s.ImportPerClient != -1 {
		t.Errorf("an off switch was replaced by a default: %+v", s)
	}
}

func equalServers(a, b Server) bool {
	return reflect.DeepEqual(a, b)
}

func TestLoad(t *testing.T) {
	env := map[string]string{"SLUICE_SOURCE_ALLOW": " https://a.example/x/ ,, https://b.example/", "SLUICE_BULK_MIN_RATE": "-1",
		"SLUICE_AUTH_CACHE_TTL": "-1s", "SLUICE_SOURCE_ALLOW_PRIVATE": "true", "SLUICE_DUMP_SQL_MAX_BYTES": "-1"}
	c, err := Load(func(name string) string { return env[name] })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Server.SourceAllow, " ") != "https://a.example/x/ https://b.example/" || c.Server.MinTransferRate != -1 ||
		c.Server.AuthCacheTTL != -time.Second || !c.Server.SourceAllowPrivate || c.Server.DumpSQLMaxBytes != -1 {
		t.Errorf("loaded: %+v", c.Server)
	}
}

// A bad value is an error that names the variable and says what it wants.
func TestLoadRefusesBadValues(t *testing.T) {
	for name, value := range map[string]string{
		"SLUICE_MAX_BODY_BYTES": "32MB", "SLUICE_DB_CONNECTIONS": "0", "SLUICE_IMPORT_PER_CLIENT": "0",
		"SLUICE_LOAD_MAX_BYTES": "-5", "SLUICE_LOAD_MAX_LINES": "many", "SLUICE_BULK_RATE_WINDOW": "0s",
		"SLUICE_BULK_MAX_DURATION": "1 hour", "SLUICE_DUMP_SQL_TIMEOUT": "-1m", "SLUICE_AUTH_BACKOFF_MAX": "0",
		"SLUICE_AUTH_CACHE_TTL": "soon", "SLUICE_SOURCE_ALLOW_PRIVATE": "yes please", "SLUICE_AUTH_MAX_FAILURES": "1.5",
	} {
		_, err := Load(func(n string) string {
			if n == name {
				return value
			}
			return ""
		})
		if err == nil || !strings.HasPrefix(err.Error(), name+": want ") || !strings.Contains(err.Error(), value) {
			t.Errorf("%s=%q: %v", name, value, err)
		}
	}
}

func TestUsageListsEverySetting(t *testing.T) {
	usage := Usage()
	for _, s := range Settings {
		if !regexp.MustCompile(`(?m)^  ` + s.Name + ` +` + regexp.QuoteMeta(s.DefaultText()) + ` +` + regexp.QuoteMeta(s.Doc) + `$`).MatchString(usage) {
			t.Errorf("usage lacks %s or its default %q", s.Name, s.DefaultText())
		}
	}
}

// The README documents the same settings with the same defaults: each variable of the table
// is in a README table row whose next cell starts with its default, every such row agrees,
// and the README names no SLUICE_ variable the table lacks.
func TestREADMEMatchesTheTable(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	known := map[string]Setting{}
	for _, s := range Settings {
		known[s.Name] = s
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(readme, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := 0; i+1 < len(cells); i++ {
			s, ok := known[strings.Trim(strings.TrimSpace(cells[i]), "`")]
			if !ok {
				continue
			}
			documented[s.Name] = true
			if def := strings.ReplaceAll(strings.TrimSpace(cells[i+1]), "`", ""); !strings.HasPrefix(def, s.DefaultText()) {
				t.Errorf("README gives %s the default %q, the table %q", s.Name, def, s.DefaultText())
			}
		}
	}
	for _, s := range Settings {
		if !documented[s.Name] {
			t.Errorf("README has no table row for %s (default %s)", s.Name, s.DefaultText())
		}
	}
	for _, m := range regexp.MustCompile(`SLUICE_[A-Z0-9_]*(\*)?`).FindAllStringSubmatch(readme, -1) {
		name, prefix := strings.TrimRight(m[0], "_*"), m[1] != ""
		if prefix {
			if !anyHasPrefix(m[0][:len(m[0])-1]) {
				t.Errorf("README names %s, which matches no setting", m[0])
			}
		} else if _, ok := known[name]; !ok && name != ClientURLVariable && name != ClientUserVariable {
			t.Errorf("README names %s, which is not a setting", name)
		}
	}
}

func anyHasPrefix(prefix string) bool {
	for _, s := range Settings {
		if strings.HasPrefix(s.Name, prefix) {
			return true
		}
	}
	return false
}
