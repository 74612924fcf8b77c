-- FHIR Bulk Data $export (docs/export.md): the Patient compartment as functions, the job and part
-- tables, and the SQL each file of a job is copied from. The proxy parses the kick-off
-- request into the parameters below; everything about what a job exports, and who may see
-- it, is decided here.

-- The patient a reference points to, from a stored (Aidbox-format) reference: {"resourceType":
-- "Patient", "id": ...}, or a FHIR-style {"reference": "Patient/<id>[/_history/<v>]"} that was
-- kept as it was (an absolute URL, say); null when it is not a Patient.
create function sluice.patient_reference_id(p_ref jsonb) returns text
language sql immutable parallel safe
return case
  when jsonb_typeof(p_ref) <> 'object' then null
  when p_ref ->> 'resourceType' = 'Patient' then p_ref ->> 'id'
  when p_ref ->> 'reference' ~ '^Patient/[A-Za-z0-9.-]{1,64}(/|$)'
    then split_part(substr(p_ref ->> 'reference', 9), '/', 1)
end;

-- The SQL condition, on a row aliased t (a resource or history table of p_type), that it is in
-- the Patient compartment of one of p_patients (null: of any patient), from the generated
-- fhir_meta.patient_compartment rows (000004); null when no resource of p_type ever is. Lax
-- jsonpath walks the arrays on the way; the final [*] the array of a repeating element (and is
-- the value itself for a single one).
create function sluice.patient_compartment_condition(p_type text, p_patients text[]) returns text
language plpgsql stable as $$
declare
  v_match text := case when p_patients is null then ' is not null'
                       else ' = any(' || quote_literal(p_patients) || '::text[])' end;
  v_conds text[];
begin
  select array_agg(format(
           'exists (select from jsonb_path_query(t.resource, %L) as r(ref) where sluice.patient_reference_id(r.ref)%s)',
           'lax $' || (select string_agg('.' || to_json(seg)::text, '' order by n)
                       from unnest(string_to_array(c.path, '.')) with ordinality as s(seg, n)) || '[*]',
           v_match) order by c.path)
    into v_conds
  from (select distinct path from fhir_meta.patient_compartment where resource_type = p_type) as c;
  if p_type = 'Patient' then
    -- A patient is in its own compartment.
    v_conds := array_prepend(case when p_patients is null then 'true'
                                  else 't.id = any(' || quote_literal(p_patients) || '::text[])' end, v_conds);
  end if;
  if cardinality(v_conds) is null then
    return null;
  end if;
  return '(' || array_to_string(v_conds, ' or ') || ')';
end $$;

-- The resource types of the Patient compartment (Patient included).
create function sluice.patient_compartment_types() returns setof text
language sql stable as $$
  select resource_type from fhir_meta.patient_compartment union select 'Patient'
$$;

-- The ids of the resources of p_type in Patient/p_patient's compartment, for psql users:
--   select * from sluice.patient_compartment('pt-1', 'Observation');
create function sluice.patient_compartment(p_patient text, p_type text) returns setof text
language plpgsql stable as $$
declare
  v_cond text := sluice.patient_compartment_condition(p_type, array[p_patient]);
begin
  if v_cond is null then
    perform sluice.table_of(p_type); -- SL404 for an unknown type
    return;
  end if;
  return query execute format('select t.id from public.%I as t where t.status <> ''deleted'' and %s',
                              sluice.table_of(p_type), v_cond);
end $$;

-- A job per kick-off; a part per type and kind of file ('output' resources, 'deleted' Bundles,
-- 'error' OperationOutcomes). A server's export workers claim a waiting job (not finished, not
-- failed) with FOR NO KEY UPDATE SKIP LOCKED in a repeatable-read transaction that they keep
-- open until the job has been written: its snapshot (pg_export_snapshot) is the one every part
-- of the job is read in, and its lock, which goes with the connection however the server ends,
-- is what "running" means. NO KEY UPDATE rather than UPDATE so that a cancel can still record
-- itself (sluice.export_cancel) while the job runs. A job found again after a crash starts over
-- with a new snapshot: its files are removed, its parts written again.
create table sluice.export_job (
  id               text primary key,
  client_id        text,         -- null: the operator
  level            text not null check (level in ('system', 'patient', 'group')),
  group_id         text,
  request          text not null, -- the kick-off URL, for the manifest
  params           jsonb not null, -- as sluice.export_create documents them
  patients         text[],        -- patient and group level: whose compartments (null: every patient's)
  errors           text[] not null default '{}', -- handling=lenient: what was left out, for the error file
  created          timestamptz not null default current_timestamp,
  transaction_time timestamptz,   -- set when done
  finished         timestamptz,
  expires          timestamptz,
  failed           text,
  failed_transient boolean
);

create table sluice.export_part (
  job_id        text not null references sluice.export_job (id) on delete cascade,
  kind          text not null check (kind in ('output', 'deleted', 'error')),
  resource_type text not null,
  -- Once written: [{"name": "<file>", "count": <lines>}, ...], in order; [] when it had no lines.
  files         jsonb,
  primary key (job_id, kind, resource_type)
);

-- Cancelled running jobs, until their worker has removed them (a waiting or finished job is
-- removed at once). No foreign key: a key share lock would wait for the worker's claim.
create table sluice.export_cancel (
  job_id text primary key,
  ts     timestamptz not null default current_timestamp
);

-- Export workers LISTEN: sluice_export_job when a job was created (there may be one to claim),
-- sluice_export_cancel with the id of a running job that was cancelled.
create function sluice.export_notify_job() returns trigger
language plpgsql as $$
begin
  perform pg_notify('sluice_export_job', '');
  return null;
end $$;

create trigger export_job_notify after insert on sluice.export_job
  for each statement execute function sluice.export_notify_job();

create function sluice.export_notify_cancel() returns trigger
language plpgsql as $$
begin
  perform pg_notify('sluice_export_cancel', new.job_id);
  return null;
end $$;

create trigger export_cancel_notify after insert on sluice.export_cancel
  for each row execute function sluice.export_notify_cancel();

-- Creates a job of p_client (null: the operator) and returns its id. p_params (the proxy parsed
-- them from the kick-off; docs/export.md):
--   level        'system', 'patient' or 'group'; group: the Group's id
--   request      the kick-off URL
--   types        the _type list, or absent: every FHIR type (patient and group level: every
--                type of the Patient compartment)
--   since, until _since and _until as ISO instants, or absent
--   typeFilters  {"<type>": [{"lastUpdated": [["gt", "<instant>"], ...], "ids": [...]}, ...]}:
--                a resource passes one of its type's criteria (all of a criterion's conditions)
--   elements     {"<type>" or "*": [element, ...]}
--   patients     the patient parameter's ids, or absent
--   lenient      handling=lenient: a type outside the compartment is left out and reported
--   errors       what the proxy already left out under lenient handling
-- SL400 for a type that is unknown (or, strict, outside the compartment), SL403 for a type that
-- grants access unless the operator asks, SL404 for an unknown Group, SL429 when p_max_jobs
-- jobs are waiting or running already.
create function sluice.export_create(p_params jsonb, p_client text, p_max_jobs int) returns text
language plpgsql volatile as $$
declare
  v_id       text := gen_random_uuid()::text;
  v_level    text := p_params ->> 'level';
  v_group    text := p_params ->> 'group';
  v_errors   text[] := coalesce((select array_agg(e) from jsonb_array_elements_text(p_params -> 'errors') e), '{}');
  v_lenient  boolean := coalesce((p_params ->> 'lenient')::boolean, false);
  v_types    text[];
  v_patients text[];
  v_type     text;
  v_found    boolean;
  v_compartment text[] := array(select sluice.patient_compartment_types());
begin
  if v_level not in ('system', 'patient', 'group') then
    raise exception using errcode = 'SL400', message = format('unknown export level %s', v_level);
  end if;
  -- One advisory lock for the count and the insert, so that two kick-offs do not both pass.
  perform pg_advisory_xact_lock(hashtextextended('sluice-export-create', 0));
  if (select count(*) from sluice.export_job j where j.finished is null and j.failed is null
        and not exists (select from sluice.export_cancel c where c.job_id = j.id)) >= p_max_jobs then
    raise exception using errcode = 'SL429', message = format(
      '%s exports are waiting or running, the limit (SLUICE_EXPORT_JOBS): retry later', p_max_jobs);
  end if;
  if p_params ? 'types' then
    for v_type in select jsonb_array_elements_text(p_params -> 'types') loop
      if (sluice.resource_type_of(v_type)).name is null then
        raise exception using errcode = 'SL400', message = format('_type: unknown resource type %s', v_type);
      end if;
      if sluice.guards_access(v_type) and p_client is not null then
        raise exception using errcode = 'SL403', message = format(
          '_type: %s resources grant or configure access; only the operator may export them', v_type);
      end if;
      if v_level <> 'system' and not v_type = any(v_compartment) then
        if not v_lenient then
          raise exception using errcode = 'SL400', message = format(
            '_type: %s is not in the Patient compartment, which a %s-level export is made of', v_type, v_level);
        end if;
        v_errors := v_errors || format('_type: %s is not in the Patient compartment and was left out', v_type);
        continue;
      end if;
      v_types := array_append(v_types, v_type);
    end loop;
    v_types := array(select distinct unnest(v_types) order by 1);
  elsif v_level = 'system' then
    v_types := array(select name from sluice.resource_type where kind = 'fhir' order by name);
  else
    v_types := array(select unnest(v_compartment) as t order by t);
  end if;
  if p_params ? 'patients' then
    v_patients := array(select jsonb_array_elements_text(p_params -> 'patients'));
  end if;
  if v_level = 'group' then
    -- The Group's member.entity patients (restricted to the patient parameter's, if given).
    execute format('select array(select distinct m.pid from public.%1$I g,
                      jsonb_array_elements(coalesce(g.resource -> ''member'', ''[]'')) as e(member),
                      sluice.patient_reference_id(e.member -> ''entity'') as m(pid)
                    where g.id = $1 and g.status <> ''deleted'' and m.pid is not null
                      and ($2::text[] is null or m.pid = any($2)) order by 1),
                    exists (select from public.%1$I g where g.id = $1 and g.status <> ''deleted'')',
                   sluice.table_of('Group'))
      into v_patients, v_found using v_group, v_patients;
    if not v_found then
      raise exception using errcode = 'SL404', message = format('Group/%s not found', v_group);
    end if;
  end if;
  insert into sluice.export_job (id, client_id, level, group_id, request, params, patients, errors)
  values (v_id, p_client, v_level, v_group, p_params ->> 'request', p_params, v_patients, v_errors);
  insert into sluice.export_part (job_id, kind, resource_type)
  select v_id, 'output', t from unnest(v_types) t
  union all
  select v_id, 'deleted', t from unnest(v_types) t where p_params ? 'since'
  union all
  select v_id, 'error', 'OperationOutcome' where cardinality(v_errors) > 0;
  return v_id;
end $$;

-- The job p_id as p_client sees it: SL404 when there is none, it is another client's, it was
-- cancelled or it has expired.
create function sluice.export_job_of(p_id text, p_client text) returns sluice.export_job
language plpgsql stable as $$
declare
  v_job sluice.export_job;
begin
  select * into v_job from sluice.export_job j where j.id = p_id
    and not exists (select from sluice.export_cancel c where c.job_id = j.id);
  if v_job.id is null or p_client is not null and v_job.client_id is distinct from p_client
     or v_job.expires < current_timestamp then
    raise exception using errcode = 'SL404', message = format('export %s not found', p_id);
  end if;
  return v_job;
end $$;

-- The status of a job for p_client: {"state": "running", "progress": "..."}, {"state": "failed",
-- "error": ..., "transient": ...} or {"state": "done", "expires": ..., "manifest": {...}} with
-- the manifest's URLs under p_base (the server's base URL, e.g. http://host:8080).
create function sluice.export_status(p_id text, p_client text, p_base text) returns jsonb
language plpgsql stable as $$
declare
  v_job   sluice.export_job := sluice.export_job_of(p_id, p_client);
  v_files jsonb;
begin
  if v_job.failed is not null then
    return jsonb_build_object('state', 'failed', 'error', v_job.failed, 'transient', coalesce(v_job.failed_transient, false));
  end if;
  if v_job.finished is null then
    return jsonb_build_object('state', 'running', 'progress', (
      select format('%s of %s files written', count(*) filter (where files is not null), count(*))
      from sluice.export_part where job_id = p_id));
  end if;
  select coalesce(jsonb_object_agg(k.kind, k.entries), '{}') into v_files
  from (select p.kind, jsonb_agg(jsonb_build_object(
                 'type', case p.kind when 'deleted' then 'Bundle' else p.resource_type end,
                 'url', p_base || '/fhir/$export-file/' || p_id || '/' || (f.file ->> 'name'),
                 'count', (f.file -> 'count')::bigint) order by p.resource_type, f.n) as entries
        from sluice.export_part p, jsonb_array_elements(p.files) with ordinality as f(file, n)
        where p.job_id = p_id
        group by p.kind) k;
  return jsonb_build_object('state', 'done', 'expires', sluice.iso_instant(v_job.expires), 'manifest', jsonb_build_object(
    'transactionTime', sluice.iso_instant(v_job.transaction_time),
    'request', v_job.request,
    'requiresAccessToken', true,
    'output', coalesce(v_files -> 'output', '[]'),
    'deleted', coalesce(v_files -> 'deleted', '[]'),
    'error', coalesce(v_files -> 'error', '[]')));
end $$;

-- Whether p_name is a file of p_client's finished job p_id (SL404 otherwise).
create function sluice.export_file(p_id text, p_client text, p_name text) returns boolean
language plpgsql stable as $$
declare
  v_job sluice.export_job := sluice.export_job_of(p_id, p_client);
begin
  if v_job.finished is null or not exists (
       select from sluice.export_part p, jsonb_array_elements(p.files) f
       where p.job_id = p_id and f ->> 'name' = p_name) then
    raise exception using errcode = 'SL404', message = format('export %s has no file %s', p_id, p_name);
  end if;
  return true;
end $$;

-- Cancels (DELETE) p_client's job: a job no worker holds is deleted now and its id returned, so
-- the caller removes its files; a running one is marked cancelled (its worker stops, deletes it
-- and removes its files) and null returned. SL404 as sluice.export_job_of.
create function sluice.export_cancel(p_id text, p_client text) returns text
language plpgsql volatile as $$
declare
  v_job sluice.export_job := sluice.export_job_of(p_id, p_client);
begin
  perform from sluice.export_job where id = v_job.id for update skip locked;
  if found then
    delete from sluice.export_job where id = v_job.id;
    return v_job.id;
  end if;
  insert into sluice.export_cancel (job_id) values (v_job.id) on conflict do nothing;
  return null;
end $$;

-- The latest time up to which every resource is committed, for a snapshot taken after this
-- call returns (horizon), and when it was read (read_at). The horizon is just before the
-- oldest transaction of this database that is still open, when that is earlier than read_at,
-- else read_at. A resource's lastUpdated is its writer's transaction start, so every resource
-- with a lastUpdated up to the horizon is in any later snapshot. It must be read before the
-- snapshot, not in its transaction: a writer open when the snapshot is taken but committed
-- before pg_stat_activity is read would be missed, and its resources, older than the horizon,
-- left out of this export and of the next one's _since. The claims of other jobs are not
-- counted: they are open while their job runs and write no resource.
create function sluice.export_horizon(out horizon timestamptz, out read_at timestamptz)
language sql volatile
begin atomic
  select least(statement_timestamp(), min(a.xact_start) - interval '1 microsecond'), statement_timestamp()
  from pg_catalog.pg_stat_activity a
  where a.datname = current_database() and a.pid <> pg_backend_pid() and a.xact_start is not null
    and a.backend_type = 'client backend'
    and not (a.usename = current_user and a.application_name like 'sluice-export:%');
end;

-- Claims a waiting job for the caller's transaction, which must be repeatable read and stays
-- open while the job is written (see sluice.export_job): the job's id, or no row. p_horizon
-- and p_read_at are what sluice.export_horizon() gave before this transaction began; the
-- horizon is the job's transaction time, and the parts leave out (sluice.export_query) the
-- few later resources its snapshot holds. Only jobs created before p_read_at are claimed, so
-- that everything committed before a kick-off is in its export (a job created after it waits
-- for the worker's next look, with a horizon of its own).
create function sluice.export_claim(p_horizon timestamptz, p_read_at timestamptz, out job_id text, out transaction_time timestamptz) returns setof record
language plpgsql volatile as $$
begin
  select j.id into job_id from sluice.export_job j
  where j.finished is null and j.failed is null and j.created <= p_read_at
    and not exists (select from sluice.export_cancel c where c.job_id = j.id)
  order by j.created
  limit 1
  for no key update skip locked;
  if job_id is null then
    return;
  end if;
  transaction_time := p_horizon;
  perform set_config('application_name', 'sluice-export:' || job_id, true);
  return next;
end $$;

-- A claimed job starts (again): its parts are to be written. Its files are the caller's to remove.
create function sluice.export_restart(p_id text) returns void
language sql volatile
begin atomic
  update sluice.export_part set files = null where job_id = p_id;
end;

-- Every part of a job (a claim writes them all again), and whether each has nothing to write
-- (its table, or history table for 'deleted', is empty) as the caller's snapshot sees it: run
-- in the claiming transaction, so that those need no transaction and COPY of their own. (That
-- snapshot predates sluice.export_restart, so it must not go by the parts' files.)
create function sluice.export_parts(p_id text) returns table (kind text, resource_type text, empty boolean)
language plpgsql stable as $$
declare
  v_part record;
  v_rows boolean;
begin
  for v_part in select p.kind, p.resource_type from sluice.export_part p
                where p.job_id = p_id order by p.kind, p.resource_type loop
    kind := v_part.kind;
    resource_type := v_part.resource_type;
    if v_part.kind = 'error' then
      empty := false;
    else
      execute format('select exists (select from public.%I)',
                     sluice.table_of(v_part.resource_type) || case when v_part.kind = 'deleted' then '_history' else '' end)
        into v_rows;
      empty := not v_rows;
    end if;
    return next;
  end loop;
end $$;

-- Parts with nothing to write: written, without files.
create function sluice.export_parts_empty(p_id text, p_kinds text[], p_types text[]) returns void
language sql volatile
begin atomic
  update sluice.export_part p set files = '[]'
  from unnest(p_kinds, p_types) as e(kind, resource_type)
  where p.job_id = p_id and p.kind = e.kind and p.resource_type = e.resource_type;
end;

-- A part was written: its files ([{name, count}]).
create function sluice.export_part_done(p_id text, p_kind text, p_type text, p_files jsonb) returns void
language sql volatile
begin atomic
  update sluice.export_part set files = p_files
  where job_id = p_id and kind = p_kind and resource_type = p_type;
end;

-- The job was written (in the claiming transaction, which then commits).
create function sluice.export_finish(p_id text, p_transaction_time timestamptz, p_keep interval) returns void
language sql volatile
begin atomic
  update sluice.export_job
  set finished = current_timestamp, transaction_time = p_transaction_time, expires = clock_timestamp() + p_keep
  where id = p_id;
end;

-- The job failed; transient when a retry may succeed.
create function sluice.export_fail(p_id text, p_error text, p_transient boolean) returns void
language sql volatile
begin atomic
  update sluice.export_job set failed = p_error, failed_transient = p_transient,
    finished = current_timestamp, expires = current_timestamp + interval '1 hour'
  where id = p_id;
end;

-- A cancelled job whose worker has stopped: gone.
create function sluice.export_forget(p_id text) returns void
language sql volatile
begin atomic
  delete from sluice.export_job where id = p_id;
  delete from sluice.export_cancel where job_id = p_id;
end;

-- Whether a running job was cancelled.
create function sluice.export_cancelled(p_id text) returns boolean
language sql stable
return exists (select from sluice.export_cancel where job_id = p_id);

-- Deletes the jobs that have expired, and cancelled ones no worker holds (their worker died),
-- and returns their ids, whose files the caller removes.
create function sluice.export_expire() returns setof text
language plpgsql volatile as $$
begin
  return query
  with gone as (
    delete from sluice.export_job j
    where j.id in (select x.id from sluice.export_job x
                   where x.expires < current_timestamp
                      or exists (select from sluice.export_cancel c where c.job_id = x.id)
                   for update skip locked)
    returning j.id)
  select g.id from gone g;
  delete from sluice.export_cancel c where not exists (select from sluice.export_job j where j.id = c.job_id);
end $$;

-- A FHIR resource (text) with only p_keep of its elements, plus id, meta and resourceType, and
-- meta.tag SUBSETTED as the _elements parameter asks.
create function sluice.export_elements(p_resource text, p_keep text[]) returns text
language sql immutable parallel safe
return (
  select jsonb_object_agg(e.key, case when e.key = 'meta' then jsonb_set(e.value, '{tag}',
            coalesce(e.value -> 'tag', '[]') || '[{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}]')
          else e.value end)::text
  from jsonb_each(p_resource::jsonb) e
  where e.key in ('resourceType', 'id', 'meta') or e.key = any(p_keep));

-- The query whose rows (one JSON text each) are the lines of part (p_kind, p_type) of job p_id,
-- read as of p_transaction_time in the job's snapshot: 'output' the resources as $dump?fhir=true
-- writes them (fhir.row_to_fhir) that pass the job's parameters; 'deleted' a Bundle with one
-- DELETE entry per resource deleted since _since; 'error' the OperationOutcome of what lenient
-- handling left out. The proxy COPYs it to a file; only constants are quoted into it.
create function sluice.export_query(p_id text, p_kind text, p_type text, p_transaction_time timestamptz) returns text
language plpgsql stable as $$
declare
  v_job    sluice.export_job := (select j from sluice.export_job j where j.id = p_id);
  v_table  text;
  v_where  text[];
  v_cond   text;
  v_line   text;
  v_keep   text[];
  v_filter jsonb;
  v_or     text[];
  v_and    text[];
  v_op     jsonb;
begin
  if p_kind = 'error' then
    return format('select jsonb_build_object(''resourceType'', ''OperationOutcome'', ''issue'', '
                  '(select jsonb_agg(jsonb_build_object(''severity'', ''warning'', ''code'', ''not-supported'', ''diagnostics'', e)) '
                  'from unnest(%L::text[]) e))::text', v_job.errors);
  end if;
  v_table := sluice.table_of(p_type);
  v_where := array[format('t.ts <= %L::timestamptz', p_transaction_time)];
  if v_job.params ? 'since' then
    v_where := v_where || format('t.ts > %L::timestamptz', v_job.params ->> 'since');
  end if;
  if v_job.params ? 'until' then
    v_where := v_where || format('t.ts <= %L::timestamptz', v_job.params ->> 'until');
  end if;
  if v_job.level <> 'system' then
    v_cond := sluice.patient_compartment_condition(p_type, v_job.patients);
    v_where := v_where || coalesce(v_cond, 'false');
  end if;
  if p_kind = 'deleted' then
    -- The last tombstone of each id deleted since _since that has not been written again.
    return format('select distinct on (t.id) jsonb_build_object(''resourceType'', ''Bundle'', ''type'', ''transaction'', '
                  '''entry'', jsonb_build_array(jsonb_build_object(''request'', jsonb_build_object(''method'', ''DELETE'', '
                  '''url'', t.resource_type || ''/'' || t.id))))::text '
                  'from public.%I as t where t.status = ''deleted'' and %s '
                  'and not exists (select from public.%I as c where c.id = t.id) order by t.id, t.ts desc',
                  v_table || '_history', array_to_string(v_where, ' and '), v_table);
  end if;
  v_where := array_prepend('t.status <> ''deleted''', v_where);
  for v_filter in select jsonb_array_elements(coalesce(v_job.params -> 'typeFilters' -> p_type, '[]')) loop
    v_and := array['true'];
    for v_op in select jsonb_array_elements(coalesce(v_filter -> 'lastUpdated', '[]')) loop
      v_and := v_and || format('t.ts %s %L::timestamptz',
        case v_op ->> 0 when 'eq' then '=' when 'ne' then '<>' when 'gt' then '>' when 'ge' then '>='
                        when 'lt' then '<' when 'le' then '<=' end, v_op ->> 1);
    end loop;
    if v_filter ? 'ids' then
      v_and := v_and || format('t.id = any(%L::text[])', array(select jsonb_array_elements_text(v_filter -> 'ids')));
    end if;
    v_or := v_or || ('(' || array_to_string(v_and, ' and ') || ')');
  end loop;
  if v_or is not null then
    v_where := v_where || ('(' || array_to_string(v_or, ' or ') || ')');
  end if;
  -- The type's first-class extensions read once, as an InitPlan (as $dump does).
  v_line := format('fhir.row_to_fhir(t.resource_type, t.id, t.txid, t.cts, t.ts, t.resource, (select fhir.attributes(%L)))', p_type);
  v_keep := array(select jsonb_array_elements_text(coalesce(v_job.params -> 'elements' -> p_type, '[]'))
                  union select jsonb_array_elements_text(coalesce(v_job.params -> 'elements' -> '*', '[]')));
  if cardinality(v_keep) > 0 then
    v_line := format('sluice.export_elements(%s, %L::text[])', v_line, v_keep);
  end if;
  return format('select %s from public.%I as t where %s', v_line, v_table, array_to_string(v_where, ' and '));
end $$;
