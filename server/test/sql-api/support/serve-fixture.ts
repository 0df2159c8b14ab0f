/**
 * Starts the SQL API test fixture for out-of-process clients (Python, Java) and writes
 * `{ port, certFile, expected }` to the file named by argv[2]; `expected` holds answers computed
 * with hand-written SQL over the source table. Runs until SIGTERM/SIGINT.
 */
import { writeFile } from 'node:fs/promises';
import { startOrdersStack } from './orders-fixture.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: serve-fixture.ts <info.json>');
const f = await startOrdersStack();
const rows = async (sql: string) => (await f.db.runAndReadAll(sql)).getRowObjectsJson();
const expected = {
  byStatus: await rows('select status, count(*)::bigint as n, sum(amount) as total from orders group by 1 order by 1'),
  byMonthPaid: await rows(`select strftime(date_trunc('month', created_at), '%Y-%m-%d') as m, count(*)::bigint as n from orders where status = 'paid' group by 1 order by 1`),
  recifeAbove500: await rows(`select status, count(*)::bigint as n from orders where city = 'Recife' and amount > 500 group by 1 order by 1`),
};
await writeFile(out, JSON.stringify({ port: f.server.port, certFile: f.cert.certFile, expected }));
const stop = async () => {
  await f.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
