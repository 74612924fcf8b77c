-- name: DumpTable :one
-- The table of a resource type before an export streams from it; SL404 for an unknown type.
-- The name is checked here, then quoted as an identifier into the COPY (which sqlc cannot
-- express).
select sluice.table_of(@resource_type::text)::text as table_name;

-- name: DumpCSVPaths :many
-- Every column of a $dump-csv (leaf paths, id, resourceType), unsorted; SL404 for an unknown
-- type. Run in the same repeatable-read transaction as the COPY of the rows.
select p.path::text as path from sluice.dump_csv_paths(@resource_type::text) as p(path);

-- name: DumpSQLLogin :one
-- A database role for one $dump-sql request, a member of sluice_reader, and its password
-- (never logged: it is a result, not a statement's text). Drop it with DumpSQLLogout.
select l.role_name::text as role_name, l.password::text as password from sluice.dump_sql_login() as l;

-- name: DumpSQLLogout :exec
-- Drops the role of a $dump-sql request that has ended.
select sluice.dump_sql_logout(@role_name::text);
