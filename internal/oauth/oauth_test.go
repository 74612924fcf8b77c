package oauth

import (
	"strings"
	"testing"
)

// Discovery names the token endpoint and the assertion algorithms sluice takes.
func TestDiscovery(t *testing.T) {
	const base = "https://fhir.example.org"
	d := Discovery(base)
	if d.TokenEndpoint != base+TokenPath {
		t.Errorf("token_endpoint %q", d.TokenEndpoint)
	}
	if strings.Join(d.TokenEndpointAuthSigningAlgsSupported, " ") != "RS384 ES384" {
		t.Errorf("signing algorithms %v, want the assertion allow-list RS384 ES384", d.TokenEndpointAuthSigningAlgsSupported)
	}
}
