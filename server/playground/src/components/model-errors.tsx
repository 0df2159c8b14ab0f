/** The model's compile errors (file:line, member, message) above every tab, while there are any. */
import type { ModelStatus } from '../api/rest-client.ts';

export function ModelErrors({ status }: { status?: ModelStatus }) {
  if (!status?.errors.length) return null;
  return (
    <section className="model-errors" data-testid="model-errors">
      <strong>The model has errors; the server keeps answering from the last good model.</strong>
      <ul>
        {status.errors.map((e, i) => (
          <li key={i}>
            <code>{e.file ? `${e.file}${e.line ? `:${e.line}` : ''}` : 'model'}</code> {e.member ? <em>{e.member}: </em> : null}
            {e.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
