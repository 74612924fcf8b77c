-- name: MetricsJobs :one
-- What GET /metrics reads at scrape time (proxy/metrics.go): the $import inputs and $export
-- jobs running and waiting. An input is running while a backend holds it
-- (sluice.import_backends), and still 'waiting' in its row; an $export job is running while a
-- worker's claiming transaction names it in application_name (sluice.export_claim).

with running_imports as (select count(*) as n from sluice.import_backends()),
     running_exports as (
       select count(distinct a.application_name) as n from pg_catalog.pg_stat_activity a
       where a.datname = current_database() and a.usename = current_user
         and a.application_name like 'sluice-export:%')
select (select n from running_imports)::bigint as imports_running,
       greatest((select count(*) from sluice.import_input where status = 'waiting') - (select n from running_imports), 0)::bigint as imports_queued,
       (select n from running_exports)::bigint as exports_running,
       greatest((select count(*) from sluice.export_job where finished is null and failed is null) - (select n from running_exports), 0)::bigint as exports_queued;
