/**
 * What express's dispatch costs a request on this machine, apart from anything of ours: the same
 * 17-byte answer written by plain node, by plain node after swapping the request's and response's
 * prototypes as express does (V8 then reads every property of both objects the slow way, node's
 * own HTTP code included), and by an express route (`res.end`, then `res.json`). Server CPU per
 * request (user + system) and req/s at `--connections` keep-alive clients (autocannon in a child
 * process, so its work is not counted), medians over `--rounds` rotating rounds.
 *
 * Why it matters for issue 13's "cache hit ≥ 0.8× hello-world": the hello-world of preagg-bench is
 * an express route, and a cache hit mounted under the same express app pays the same dispatch
 * before our handler runs. Usage: npx tsx bench/support/express-dispatch-cost.ts [--seconds 3] [--rounds 3] [--connections 32]
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import express from 'express';

const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1] ?? ''] : ['', ''])));
const seconds = Number(args.get('seconds') ?? 3);
const rounds = Number(args.get('rounds') ?? 3);
const connections = Number(args.get('connections') ?? 32);
const BODY = '{"hello":"world"}';

if (args.has('client')) {
  process.on('message', (url: string) => {
    void autocannon({ url, connections, duration: seconds }).then((r) => process.send!({ rps: r.requests.average, total: r.requests.total, errors: r.errors + r.non2xx }));
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

function writeHello(res: http.ServerResponse): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', BODY.length);
  res.end(BODY);
}

async function main(): Promise<void> {
  const app = express();
  app.get('/express-end', (_req, res) => writeHello(res));
  app.get('/express-json', (_req, res) => void res.json({ hello: 'world' }));
  // Fresh prototypes below node's own, as express's `app.request` / `app.response` are.
  const requestPrototype = Object.create(http.IncomingMessage.prototype) as object;
  const responsePrototype = Object.create(http.ServerResponse.prototype) as object;
  const server = http.createServer((req, res) => {
    if (req.url === '/node') return writeHello(res);
    if (req.url === '/node-swapped') {
      Object.setPrototypeOf(req, requestPrototype);
      Object.setPrototypeOf(res, responsePrototype);
      return writeHello(res);
    }
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const child = fork(import.meta.filename, [...process.argv.slice(2), '--client', '1']);
  const cannon = (url: string) => new Promise<{ rps: number; total: number; errors: number }>((resolve) => {
    child.once('message', resolve);
    child.send(url);
  });
  const kinds = ['/node', '/node-swapped', '/express-end', '/express-json'];
  const runs = new Map<string, { rps: number; user: number; system: number }[]>(kinds.map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(k + round) % kinds.length]!;
      const before = process.cpuUsage();
      const figures = await cannon(base + kind);
      const used = process.cpuUsage(before);
      if (figures.errors > 0) throw new Error(`${kind}: ${figures.errors} errors`);
      runs.get(kind)!.push({ rps: figures.rps, user: used.user / figures.total, system: used.system / figures.total });
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(`${connections} keep-alive clients, ${seconds} s per run, medians of ${rounds} rounds (server CPU per request: user + system)`);
  for (const kind of kinds) {
    const r = runs.get(kind)!;
    console.log(`${kind.padEnd(14)} ${median(r.map((x) => x.rps)).toFixed(0).padStart(6)} req/s  ${median(r.map((x) => x.user)).toFixed(0).padStart(4)} + ${median(r.map((x) => x.system)).toFixed(0).padStart(3)} µs CPU/req`);
  }
  child.disconnect();
  server.closeAllConnections();
  server.close();
}
