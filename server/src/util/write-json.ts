/**
 * A JSON response written with node's own response API, byte for byte what express's `res.json`
 * sends in this server (no ETag, no JSONP): the `/load` hot route answers without express, and
 * the middlewares it shares with express routes (client limits, errors) write the same way for both.
 */
import type { ServerResponse } from 'node:http';

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'));
  res.end(text);
}
