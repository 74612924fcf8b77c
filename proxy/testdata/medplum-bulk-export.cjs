// Drives @medplum/core's MedplumClient.bulkExport, unmodified, against a sluice server, for the
// Go test TestExportMedplumClient (proxy/export_medplum_test.go). Environment: MEDPLUM_CORE (the
// package's folder), SLUICE_URL, CLIENT_ID, CLIENT_SECRET, GROUP_ID. Prints one JSON object:
// {"system": {"<type>": [resource, ...]}, "patient": {...}, "group": {...}}, every resource of
// every file of each export's manifest, downloaded with the client's credentials.
const { MedplumClient } = require(process.env.MEDPLUM_CORE);

async function run(medplum, level) {
  const manifest = await medplum.bulkExport(level, undefined, undefined, { pollStatusOnAccepted: true, pollStatusPeriod: 200 });
  if (!manifest || !Array.isArray(manifest.output) || !Array.isArray(manifest.error)) {
    throw new Error(`${level || 'system'}: not a manifest: ${JSON.stringify(manifest)}`);
  }
  const byType = {};
  for (const entry of manifest.output) {
    const text = await (await medplum.download(entry.url)).text();
    const lines = text.split('\n').filter((l) => l !== '');
    if (lines.length !== entry.count) {
      throw new Error(`${entry.url}: ${lines.length} lines, the manifest says ${entry.count}`);
    }
    for (const line of lines) {
      const resource = JSON.parse(line);
      (byType[resource.resourceType] ??= []).push(resource);
    }
  }
  return byType;
}

(async () => {
  const medplum = new MedplumClient({ baseUrl: process.env.SLUICE_URL, fhirUrlPath: 'fhir', fetch: globalThis.fetch });
  medplum.setBasicAuth(process.env.CLIENT_ID, process.env.CLIENT_SECRET);
  const result = {
    system: await run(medplum, ''),
    patient: await run(medplum, 'Patient'),
    group: await run(medplum, `Group/${process.env.GROUP_ID}`),
  };
  process.stdout.write(JSON.stringify(result));
})().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
