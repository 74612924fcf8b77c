-- name: PolicyAuthorize :one
-- 'allowed', 'forbidden' (authenticated, no policy matches) or 'unauthenticated'.
select policy.authorize(@client_id::text, @secret::text, @request::jsonb)::text as decision;
