/**
 * Logins of a suite's SQL API users as node-postgres clients: the connection settings of each user
 * and a client opened for one piece of work and always closed after it.
 */
import pg from 'pg';

export interface SqlLogins {
  clientConfig(user?: string): pg.ClientConfig;
  withClient<T>(run: (client: pg.Client) => Promise<T>, user?: string): Promise<T>;
}

/** `users`: name → password; `port`: read when a client connects (the server starts in beforeAll). */
export function sqlLogins(users: Readonly<Record<string, { readonly password: string }>>, port: () => number, defaultUser = 'bi'): SqlLogins {
  const clientConfig = (user = defaultUser): pg.ClientConfig => ({ host: '127.0.0.1', port: port(), user, password: users[user]!.password, database: 'db' });
  return {
    clientConfig,
    async withClient(run, user = defaultUser) {
      const client = new pg.Client(clientConfig(user));
      await client.connect();
      try {
        return await run(client);
      } finally {
        await client.end();
      }
    },
  };
}
