drop function sluice.patient_purge(text);
