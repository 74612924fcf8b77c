drop trigger import_input_record on sluice.import_input;
drop trigger import_job_record on sluice.import_job;
drop function sluice.import_record_trigger();
drop function sluice.import_record(text);
drop function sluice.patient_purge(text);
