// Package rules holds the Go pre-checks of resource rules that SQL owns (sluice.is_valid_id,
// the registered type names): the stager and the exports check in Go for speed or before
// writing SQL text, and rules_test.go runs the same inputs through both.
package rules

// IsValidID is sluice.is_valid_id: [A-Za-z0-9\-\.]{1,64}.
func IsValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// IsTypeName: resource type names are ASCII letters, so they are safe in a COPY row and as an
// SQL literal. The one Go rule for a type name ($dump's fhir=true literal, the stager);
// rules_test.go checks every type the database registers passes it.
func IsTypeName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
