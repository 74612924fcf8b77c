package proxy

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/sluice-fhir/sluice/gen"
)

// authorize lets the request through or returns a 401/403 error. The operator credential
// (SLUICE_ADMIN_ID/SLUICE_ADMIN_SECRET) bypasses policies; every other client is checked by
// policy.authorize in the database: its hashed secret, then its AccessPolicies.
// On success it returns r carrying its caller (callerOf).
func (s *Server) authorize(r *http.Request, rt route) (*http.Request, error) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return nil, errorf(http.StatusUnauthorized, "authentication required: send HTTP Basic credentials")
	}
	if id == s.cfg.AdminID {
		if subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.AdminSecret)) == 1 {
			return withCaller(r, caller{id: id, operator: true}), nil
		}
		return nil, errorf(http.StatusUnauthorized, "wrong client id or secret")
	}
	request, err := policyRequest(r, rt, id)
	if err != nil {
		return nil, err
	}
	decision, err := s.q.PolicyAuthorize(r.Context(), s.pool, gen.PolicyAuthorizeParams{ClientID: id, Secret: secret, Request: request})
	if err != nil {
		return nil, err
	}
	switch decision {
	case "allowed":
		return withCaller(r, caller{id: id}), nil
	case "forbidden":
		return nil, errorf(http.StatusForbidden, "client %s is not allowed to %s %s", id, r.Method, r.URL.Path)
	default:
		return nil, errorf(http.StatusUnauthorized, "wrong client id or secret")
	}
}

// policyRequest is the request object an AccessPolicy sees (SPEC.md section 3).
func policyRequest(r *http.Request, rt route, clientID string) ([]byte, error) {
	params := map[string]any{}
	for k, v := range r.URL.Query() {
		if len(v) == 1 {
			params[k] = v[0]
		} else {
			params[k] = v
		}
	}
	if rt.resourceType != "" {
		params["resource/type"] = rt.resourceType
	}
	if rt.id != "" {
		params["resource/id"] = rt.id
	}
	headers := map[string]string{}
	for k, v := range r.Header {
		if k == "Authorization" {
			continue // policies never see the secret
		}
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return json.Marshal(map[string]any{
		"uri":            r.URL.Path,
		"request-method": strings.ToLower(r.Method),
		"params":         params,
		"query-string":   r.URL.RawQuery,
		"headers":        headers,
		"client":         map[string]string{"id": clientID},
	})
}
