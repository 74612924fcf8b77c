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
