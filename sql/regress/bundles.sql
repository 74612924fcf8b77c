-- Bundle entries from psql: sluice.bundle_entry runs one entry of a transaction or batch
-- Bundle ({request: {method, url}, resource}) and returns its response entry. Running the
-- entries of a transaction inside one BEGIN ... COMMIT is what POST / does.
\set SHOW_CONTEXT never

-- A transaction: PUT creates (201), a second PUT of the same id updates (200), GET reads it.
begin;
select e -> 'response' ->> 'status' as status, (e -> 'resource') - 'meta' as resource
from sluice.bundle_entry('{"request":{"method":"PUT","url":"/Patient/pt-9"},"resource":{"name":[{"given":["Eve"]}]}}') as e;
select e -> 'response' ->> 'status' as status, (e -> 'resource') - 'meta' as resource
from sluice.bundle_entry('{"request":{"method":"PUT","url":"Patient/pt-9"},"resource":{"gender":"female"}}') as e;
select e -> 'response' ->> 'status' as status, e -> 'resource' ->> 'gender' as gender
from sluice.bundle_entry('{"request":{"method":"GET","url":"/Patient/pt-9"}}') as e;
commit;

-- POST creates with the resource's id, or a generated one.
select e -> 'response' ->> 'status' as status, e -> 'resource' ->> 'id' as id
from sluice.bundle_entry('{"request":{"method":"POST","url":"/Observation"},"resource":{"id":"obs-1","status":"final"}}') as e;

-- The location names the version: Type/id/_history/versionId.
select e -> 'response' ->> 'location' = 'Observation/obs-1/_history/' || (e #>> '{resource,meta,versionId}') as location_ok
from sluice.bundle_entry('{"request":{"method":"PUT","url":"/Observation/obs-1"},"resource":{"status":"amended"}}') as e;

-- The README's example: DELETE answers 200 with the deleted resource.
select e -> 'response' ->> 'status' as status, e -> 'resource' ->> 'id' as id
from sluice.bundle_entry('{"request":{"method":"DELETE","url":"/Patient/pt-9"}}') as e;
select count(*) as patients_left from patient where id = 'pt-9';

-- Errors. The entry itself:
select sluice.bundle_entry('{"request":{"url":"/Patient/pt-9"}}');
select sluice.bundle_entry('{"request":{"method":"PUT","url":"/Patient/pt-9/_history/1"},"resource":{}}');
select sluice.bundle_entry('{"request":{"method":"PUT","url":"/Patient/pt-9"}}');
select sluice.bundle_entry('{"request":{"method":"PATCH","url":"/Patient/pt-9"},"resource":{}}');
\echo :LAST_ERROR_SQLSTATE
-- What it asks for: an id that is gone, a bad id, a type that does not exist.
select sluice.bundle_entry('{"request":{"method":"GET","url":"/Patient/pt-9"}}');
\echo :LAST_ERROR_SQLSTATE
select sluice.bundle_entry('{"request":{"method":"PUT","url":"/Patient/a*b"},"resource":{}}');
select sluice.bundle_entry('{"request":{"method":"GET","url":"/NoSuchType/x"}}');

-- A failing entry fails its transaction: nothing of it is kept.
begin;
select e -> 'response' ->> 'status' as status
from sluice.bundle_entry('{"request":{"method":"PUT","url":"/Patient/pt-20"},"resource":{}}') as e;
select sluice.bundle_entry('{"request":{"method":"POST","url":"/Patient"},"resource":{"id":"pt-20"}}');
rollback;
select count(*) as kept from patient where id = 'pt-20';
