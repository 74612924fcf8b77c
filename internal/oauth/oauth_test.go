package oauth

import (
	"encoding/json"
	"strings"
	"testing"
)

// Discovery and the CapabilityStatement's security section name the same token endpoint.
func TestDiscoveryAndSecurityAgree(t *testing.T) {
	const base = "https://fhir.example.org"
	d := Discovery(base)
	if d.TokenEndpoint != base+TokenPath {
		t.Errorf("token_endpoint %q", d.TokenEndpoint)
	}
	if strings.Join(d.TokenEndpointAuthSigningAlgsSupported, " ") != "RS384 ES384" {
		t.Errorf("signing algorithms %v, want the assertion allow-list RS384 ES384", d.TokenEndpointAuthSigningAlgsSupported)
	}
	security, err := json.Marshal(Security(base))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(security), `"valueUri":"`+d.TokenEndpoint+`"`) || !strings.Contains(string(security), `"code":"SMART-on-FHIR"`) {
		t.Errorf("security section %s does not name the SMART token endpoint %s", security, d.TokenEndpoint)
	}
}
