-- Drops the FHIR R4 resource tables that 000003 created (system types stay).
do $$
declare
  v_table text;
begin
  for v_table in select table_name from sluice.resource_type where kind = 'fhir' loop
    execute format('drop table public.%I, public.%I', v_table, v_table || '_history');
  end loop;
  delete from sluice.resource_type where kind = 'fhir';
end $$;
