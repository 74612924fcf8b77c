drop function sluice.import_cancel(text);
drop function sluice.import_create(text, jsonb);
drop function sluice.import_status(text);
drop function sluice.import_running(bigint);
drop table sluice.import_input;
drop table sluice.import_job;
drop function sluice.load_merge(text[], boolean, boolean, boolean, jsonb);
drop function sluice.load_merge_type(text, text, jsonb, bigint, boolean, boolean, jsonb);
drop function sluice.load_stage();
