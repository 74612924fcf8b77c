-- Access control from psql: policy.matcho matches a request object against a pattern, and
-- policy.authorize says whether a client may make a request ('allowed', 'forbidden' or
-- 'unauthenticated'). The request object is what the server builds for each HTTP request.
\set SHOW_CONTEXT never

-- matcho: an object pattern matches when each of its keys matches; a string starting with #
-- is a regular expression; $one-of takes any of its alternatives; $enum any of its values.
select policy.matcho('{"uri":"#/.*/\\$dump$","request-method":"get"}',
                     '{"uri":"/Patient/$dump","request-method":"get"}') as dump_get;
select policy.matcho('{"uri":"#/.*/\\$dump$","request-method":"get"}',
                     '{"uri":"/Patient/$dump","request-method":"post"}') as dump_post;
select policy.matcho('{"uri":{"$one-of":["/$import","/fhir/$import"]}}',
                     '{"uri":"/fhir/$import"}') as one_of;
select policy.matcho('{"params":{"resource/type":{"$enum":["Patient","Observation"]}}}',
                     '{"params":{"resource/type":"Observation","resource/id":"o1"}}') as enum;
select policy.matcho('{"request-method":"get"}', '{}') as missing_key;

-- A client and its policy, the seed's bulk-client (testdata/seed/); HTTP Basic needs
-- grant_types basic. The secret is stored as a bcrypt hash by a trigger, and never returned.
select sluice.resource_write('Client', null,
  '{"resourceType":"Client","id":"bulk-client","secret":"secret","grant_types":["basic"]}', 'update') ? 'secret' as secret_returned;
select resource ->> 'secret' like '$2a$10$%' as stored_as_bcrypt from client where id = 'bulk-client';
select sluice.resource_write('AccessPolicy', null, '{
  "resourceType": "AccessPolicy", "id": "bulk-client-dump", "engine": "matcho",
  "matcho": {"$one-of": [
    {"uri": "/$dump-sql", "request-method": "post"},
    {"uri": "#/.*/\\$dump$", "request-method": "get"}
  ]},
  "link": [{"id": "bulk-client", "resourceType": "Client"}]}', 'update') ->> 'id' as policy;

-- The README's examples, and the other two answers.
select policy.authorize('bulk-client', 'secret', '{"uri":"/Patient/$dump","request-method":"get"}') as dump;
select policy.authorize('bulk-client', 'secret', '{"uri":"/Patient/pt-1","request-method":"get"}') as read;
select policy.authorize('bulk-client', 'wrong', '{"uri":"/Patient/$dump","request-method":"get"}') as wrong_secret;
select policy.authorize('nobody', 'secret', '{"uri":"/Patient/$dump","request-method":"get"}') as unknown_client;

-- An allow policy lets its client do anything but write Client and AccessPolicy resources,
-- which only a matcho policy naming the type grants.
select sluice.resource_write('Client', null, '{"id":"reader","secret":"s3cret","grant_types":["basic"]}', 'update') ->> 'id' as client;
select sluice.resource_write('AccessPolicy', null,
  '{"id":"reader-all","engine":"allow","link":[{"id":"reader","resourceType":"Client"}]}', 'update') ->> 'id' as policy;
select policy.authorize('reader', 's3cret', '{"uri":"/Patient/pt-1","request-method":"get"}') as read,
       policy.authorize('reader', 's3cret',
         '{"uri":"/AccessPolicy/x","request-method":"put","params":{"resource/type":"AccessPolicy","resource/id":"x"}}') as write_policy;

-- Errors: the policies themselves are checked on write.
select sluice.resource_write('AccessPolicy', null, '{"id":"p1","engine":"sql","link":[]}', 'update');
\echo :LAST_ERROR_SQLSTATE
-- matcho takes jsonb (wrong type):
select policy.matcho('not json', '{}');
