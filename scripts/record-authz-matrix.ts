// Records RabbitMQ's answer to every cell of the management API's authorisation matrix
// (lib/management/authz-matrix.ts) into lib/management/fixtures/rabbitmq-3.10/authz-matrix.json.
// Run once against a RabbitMQ 3.10 with the management plugin, from loopback (guest):
//   npx tsx scripts/record-authz-matrix.ts [http://127.0.0.1:15672] [5672]
// It makes users authz-*, vhosts authz-vh and authz-vh-del, and removes them when done.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CELLS, PERMS, TAGS, runMatrix } from '../lib/management/authz-matrix';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:15672';
const amqpPort = Number(process.argv[3] ?? 5672);
const out = fileURLToPath(new URL('../lib/management/fixtures/rabbitmq-3.10/authz-matrix.json', import.meta.url));

const overview = (await (await fetch(`${baseUrl}/api/overview`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } })).json()) as {
  rabbitmq_version: string;
  management_version: string;
};
const started = Date.now();
const cells = await runMatrix({ baseUrl, amqpPort, admin: { user: 'guest', password: 'guest' } });
const fixture = {
  recorded_with: `RabbitMQ ${overview.rabbitmq_version}, management ${overview.management_version}`,
  recorded_by: 'scripts/record-authz-matrix.ts',
  columns: 'tag/permissions on the vhost: tags ' + TAGS.join(', ') + '; permissions ' + PERMS.join(', '),
  cells,
};
writeFileSync(out, JSON.stringify(fixture, null, 1) + '\n');
console.log(`${CELLS.length} routes × ${TAGS.length * PERMS.length} columns in ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}`);
