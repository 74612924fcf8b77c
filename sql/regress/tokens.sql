-- Bearer tokens from psql (migrations/000010_tokens.up.sql): SMART scopes, what a request
-- needs of them, issuing a token, asking what it may do, revoking it, and a replayed jti.

-- Scopes sluice understands: v1 read/write/*, v2 letters in the order cruds, system only.
select s, p.resource_type, p.letters
from unnest(array['system/*.read', 'system/Patient.read', 'system/Observation.write', 'system/*.*',
                  'system/*.rs', 'system/Observation.cruds', 'system/Patient.c']) as s,
     policy.scope_parse(s) as p;
-- Not understood: patient/ and user/ scopes, letters out of order, none, unknown types, v2 query suffixes.
select s, exists (select from policy.scope_parse(s)) as understood
from unnest(array['patient/*.read', 'user/Patient.rs', 'system/Patient.sr', 'system/Patient.',
                  'system/NoSuchType.read', 'system/Observation.rs?category=laboratory', 'openid', '']) as s;

-- What a token gets for the scope it asks: what is understood, in order, once; none: null.
select policy.scope_grant('system/Patient.read launch/patient system/Patient.read system/*.s') as narrowed;
select policy.scope_grant(null) as absent, policy.scope_grant('  ') as blank;
select policy.scope_grant('patient/*.read openid') is null as invalid_scope;

-- What requests need: the type and the letters.
select uri, method, n.resource_type, n.letters
from (values ('/Patient/pt-1', 'get', 'Patient', 'pt-1'), ('/fhir/Patient', 'post', 'Patient', null),
             ('/Patient/pt-1', 'put', 'Patient', 'pt-1'), ('/Patient/pt-1', 'delete', 'Patient', 'pt-1'),
             ('/Patient/$dump', 'get', 'Patient', null), ('/fhir/Patient/$load', 'post', 'Patient', null),
             ('/fhir/$import', 'post', null, null), ('/$load', 'post', null, null),
             ('/$dump-sql', 'post', null, null), ('/', 'post', null, null)) as r(uri, method, type, id)
left join lateral policy.scope_needs(jsonb_build_object('uri', r.uri, 'request-method', r.method,
            'params', jsonb_strip_nulls(jsonb_build_object('resource/type', r.type, 'resource/id', r.id)))) as n on true
order by 1, 2;

-- Scopes add up per type; a need on '*' only counts scopes of '*'.
select policy.scope_allows('system/Patient.read', '{"uri":"/Patient/$dump","request-method":"get","params":{"resource/type":"Patient"}}') as v1_read_dumps,
       policy.scope_allows('system/Patient.read', '{"uri":"/Observation/o1","request-method":"get","params":{"resource/type":"Observation","resource/id":"o1"}}') as other_type,
       policy.scope_allows('system/Patient.c system/Patient.u', '{"uri":"/Patient/$load","request-method":"post","params":{"resource/type":"Patient"}}') as c_plus_u_loads,
       policy.scope_allows('system/Patient.cruds', '{"uri":"/$load","request-method":"post","params":{}}') as typed_scope_untyped_load,
       policy.scope_allows('system/*.write', '{"uri":"/$load","request-method":"post","params":{}}') as any_write_untyped_load,
       policy.scope_allows(null, '{"uri":"/Observation/o1","request-method":"delete"}') as basic_has_no_scope;

-- A client that may use client_credentials, whose policy allows every GET.
insert into public.client (id, txid, resource_type, status, resource)
values ('backend', 1, 'Client', 'created', '{"secret":"s3cret","grant_types":["client_credentials"]}'),
       ('basic-only', 1, 'Client', 'created', '{"secret":"s3cret","grant_types":["basic"]}');
insert into public.accesspolicy (id, txid, resource_type, status, resource)
values ('backend-gets', 1, 'AccessPolicy', 'created',
        '{"engine":"matcho","matcho":{"request-method":"get"},"link":[{"id":"backend"}]}');

-- The secret check of the token endpoint.
select policy.token_secret('backend', 's3cret') as right_secret, policy.token_secret('backend', 'wrong') as wrong_secret,
       policy.token_secret('nobody', 's3cret') as unknown_client, policy.token_secret('basic-only', 's3cret') as no_grant;

-- Issue a token (psql variable tok), and ask what it may do: the scope and the policy intersect.
select policy.token_issue('backend', 'system/Patient.read', '5 minutes') as tok \gset
select length(:'tok') as token_length, count(*) as stored, bool_and(hash = policy.token_hash(:'tok')) as hashed
from policy.token;
select policy.token_authorize(:'tok', '{"uri":"/Patient/pt-1","request-method":"get","params":{"resource/type":"Patient","resource/id":"pt-1"}}') as read_patient,
       policy.token_authorize(:'tok', '{"uri":"/Observation/o1","request-method":"get","params":{"resource/type":"Observation","resource/id":"o1"}}') as outside_scope,
       policy.token_authorize(:'tok', '{"uri":"/Patient/pt-1","request-method":"delete","params":{"resource/type":"Patient","resource/id":"pt-1"}}') as outside_scope_and_policy,
       policy.token_authorize(:'tok', '{"uri":"/fhir/metadata","request-method":"get"}') as metadata_whatever_the_scope,
       policy.token_authorize('not-a-token', '{"uri":"/Patient/pt-1","request-method":"get"}') as unknown_token;
select decision, client_id, scope, in_scope
from policy.decide_token(:'tok', '{"uri":"/Observation/o1","request-method":"get","params":{"resource/type":"Observation","resource/id":"o1"}}');

-- Expired: refused, and deleted by the next issue.
update policy.token set expires = now() - interval '1 second' where hash = policy.token_hash(:'tok');
select policy.token_authorize(:'tok', '{"uri":"/Patient/pt-1","request-method":"get","params":{"resource/type":"Patient","resource/id":"pt-1"}}') as expired;
select policy.token_issue('backend', 'system/*.rs', '5 minutes') as tok \gset
select count(*) as live_tokens from policy.token;

-- Revoking is a delete.
delete from policy.token where client_id = 'backend';
select policy.token_authorize(:'tok', '{"uri":"/Patient/pt-1","request-method":"get","params":{"resource/type":"Patient","resource/id":"pt-1"}}') as revoked;

-- A SMART assertion's jti gets one token; the same jti again gets none and writes nothing.
select policy.token_issue('backend', 'system/*.rs', '5 minutes', 'jti-1', now() + interval '4 minutes') is not null as first_use;
select policy.token_issue('backend', 'system/*.rs', '5 minutes', 'jti-1', now() + interval '4 minutes') is null as replayed;
select policy.token_issue('backend', 'system/*.rs', '5 minutes', 'jti-2', now() - interval '1 second') is null as expired_assertion;
select (select count(*) from policy.token) as tokens, (select count(*) from policy.assertion_jti) as jtis;

-- Taking client_credentials away from the Client ends its tokens at once.
select policy.token_issue('backend', 'system/*.rs', '5 minutes') as tok \gset
update public.client set resource = jsonb_set(resource, '{grant_types}', '["basic"]') where id = 'backend';
select policy.token_authorize(:'tok', '{"uri":"/Patient/pt-1","request-method":"get","params":{"resource/type":"Patient","resource/id":"pt-1"}}') as grant_taken_away;

-- A Bundle's entries are checked against the token's scope too.
select entry, method, uri
from policy.refused_entries('backend', '{"uri":"/","request-method":"post"}',
       '[{"request":{"method":"GET","url":"/Patient/pt-1"}},{"request":{"method":"GET","url":"/Observation/o1"}}]',
       'system/Patient.read');
