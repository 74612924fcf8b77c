package proxy

import (
	"net/http"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/oauth"
)

// capabilities serves GET /fhir/metadata, the CapabilityStatement (fhir.capability_statement
// builds it from the registered types), to anyone: policy.public_request lets it through
// without credentials.
func (s *Server) capabilities(w http.ResponseWriter, r *http.Request, rt route) error {
	statement, err := s.q.CapabilityStatement(r.Context(), s.pool, gen.CapabilityStatementParams{
		Base: s.requestBase(r, rt), TokenUrl: s.baseURL(r) + oauth.TokenPath})
	if err != nil {
		return err
	}
	writeResource(w, rt, http.StatusOK, statement)
	return nil
}
