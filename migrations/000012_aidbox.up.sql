-- Aidbox's operations that sluice adds for users who switch from it (issue 14).

-- $purge (POST /fhir/Patient/<id>/$purge): removes Patient/p_patient and every resource of its
-- compartment, current rows and history rows, in the caller's one transaction (one call is
-- one statement). A resource counts when its current body or any of its versions references
-- Patient/p_patient at a compartment path (sluice.patient_compartment_condition, 000009):
-- one version that did is enough, since its history holds the patient's data; all its
-- versions go then. The answer is the number of resources (ids) removed per type, only the
-- types with some, {} when nothing was: a missing patient, or a second purge. Every table of
-- a compartment type is scanned once (no index serves a jsonpath over references).
create function sluice.patient_purge(p_patient text) returns jsonb
language plpgsql as $$
declare
  v_type    text;
  v_table   text;
  v_cond    text;
  v_n       bigint;
  v_removed jsonb := '{}';
begin
  if p_patient is null or p_patient = '' then
    raise exception using errcode = 'SL422', message = 'a $purge needs a patient id';
  end if;
  for v_type in select t from sluice.patient_compartment_types() as t order by t loop
    v_table := (sluice.resource_type_of(v_type)).table_name;
    v_cond := sluice.patient_compartment_condition(v_type, array[p_patient]);
    continue when v_table is null or v_cond is null;
    execute format($q$
      with ids as (
        select t.id from public.%1$I as t where %3$s
        union
        select t.id from public.%2$I as t where %3$s
      ), current_rows as (
        delete from public.%1$I as c using ids where c.id = ids.id returning c.id
      ), history_rows as (
        delete from public.%2$I as h using ids where h.id = ids.id returning h.id
      )
      select count(*) from (select id from current_rows union select id from history_rows) as removed
    $q$, v_table, v_table || '_history', v_cond) into v_n;
    if v_n > 0 then
      v_removed := v_removed || jsonb_build_object(v_type, v_n);
    end if;
  end loop;
  return v_removed;
end $$;

-- BulkImportStatus is a stored resource (issue 14): the row of public.bulkimportstatus, with
-- its history, is written from the job tables in the transaction that changes them, so the
-- two never disagree. sluice.import_record is the one writer; deferred constraint triggers on
-- both job tables call it at commit, once the statement's whole change (a job and all its
-- inputs, a cancel of many inputs) is in place: a change of the job tables is a version of
-- the resource, and a commit that leaves its body as it was adds none. An input being loaded
-- is not stored as in-progress (that state is its backend's lock: sluice.import_backends), so
-- its running count is added when the status is read (sluice.import_status).
create function sluice.import_record(p_id text) returns void
language plpgsql volatile as $$
declare
  v_job  sluice.import_job;
  v_body jsonb;
begin
  -- Two transactions ending inputs of one job commit one after the other here: the lock is
  -- taken before the job tables are read, so each reads (a new snapshot per statement) what
  -- the other committed. An advisory lock and not the job's row lock, which the loading
  -- transactions hold FOR SHARE (a row lock taken at commit by two of them would deadlock);
  -- the two-int form with its own key, apart from the inputs' one-bigint locks.
  perform pg_advisory_xact_lock(hashtext('sluice-import-record'), hashtext(p_id));
  select * into v_job from sluice.import_job where id = p_id;
  if v_job.id is null then
    return;
  end if;
  v_body := sluice.import_status_body(v_job, false);
  if exists (select from public.bulkimportstatus where id = p_id and resource = sluice.resource_body(v_body)) then
    return;
  end if;
  perform sluice.resource_write('BulkImportStatus', p_id, v_body, 'update');
end $$;

create function sluice.import_record_trigger() returns trigger
language plpgsql as $$
begin
  if tg_table_name = 'import_job' then
    perform sluice.import_record(new.id);
  else
    perform sluice.import_record(new.job_id);
  end if;
  return null;
end $$;

create constraint trigger import_job_record after insert or update on sluice.import_job
  deferrable initially deferred for each row execute function sluice.import_record_trigger();
create constraint trigger import_input_record after insert or update on sluice.import_input
  deferrable initially deferred for each row execute function sluice.import_record_trigger();
