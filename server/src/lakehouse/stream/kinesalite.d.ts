// kinesalite ships no type declarations; it returns a plain Node HTTP server.
declare module 'kinesalite' {
  import type { Server } from 'node:http';
  interface KinesaliteOptions {
    path?: string;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
  }
  function kinesalite(options?: KinesaliteOptions): Server;
  export default kinesalite;
}
