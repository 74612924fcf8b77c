-- Undoes 000006_export.up.sql in this database: the functions, and every privilege
-- sluice_reader holds here. The role itself belongs to the cluster: it is dropped only when
-- no other database still grants it anything (then PostgreSQL refuses, and it stays), with
-- the per-request roles of $dump-sql that no session uses (a crashed server's leftovers).

select sluice.dump_sql_drop_stale();
drop function sluice.dump_sql_login();
drop function sluice.dump_sql_logout(text);
drop function sluice.dump_sql_drop_stale();
drop function sluice.scram_secret(text);
drop function sluice.dump_sql_role(text);
drop function sluice.dump_sql_grant();
drop function sluice.dump_csv_paths(text);
drop function sluice.json_leaf_paths(jsonb);
drop function sluice.dump_line(text, text, bigint, timestamptz, timestamptz, jsonb);

do $$
begin
  if exists (select from pg_catalog.pg_roles where rolname = 'sluice_reader') then
    execute 'revoke all on all tables in schema public from sluice_reader';
    execute 'revoke all on schema public from sluice_reader';
    begin
      execute 'drop role sluice_reader';
    exception when dependent_objects_still_exist then
      null; -- another database of the cluster still grants it something
    end;
  end if;
end $$;
