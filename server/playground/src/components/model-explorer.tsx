/**
 * The model as /meta describes it: cubes and views, their folders, and every member with title,
 * description, type and format; the join graph (from the dev-only model status) drawn above.
 */
import { useState } from 'react';
import type { Meta, MetaCube, MetaMember, ModelStatus } from '../api/rest-client.ts';
import { JoinGraph } from './join-graph.tsx';

export function ModelExplorer({ meta, status }: { meta: Meta; status?: ModelStatus }) {
  const [selected, setSelected] = useState<string>(meta.cubes[0]?.name ?? '');
  const cube = meta.cubes.find((c) => c.name === selected);
  const cubes = meta.cubes.filter((c) => c.type !== 'view');
  const views = meta.cubes.filter((c) => c.type === 'view');
  const list = (title: string, items: readonly MetaCube[]) => (
    <div>
      <div className="group-label">{title}</div>
      {items.map((c) => (
        <button key={c.name} className={c.name === selected ? 'cube-title active' : 'cube-title'} onClick={() => setSelected(c.name)} data-testid={`explore:${c.name}`}>
          {c.title}
        </button>
      ))}
    </div>
  );
  return (
    <div className="explorer">
      <aside className="picker">
        {list(`Cubes (${cubes.length})`, cubes)}
        {list(`Views (${views.length})`, views)}
      </aside>
      <main>
        <h3>Joins</h3>
        <JoinGraph cubes={cubes.map((c) => c.name)} joins={status?.joins ?? []} selected={selected} onSelect={setSelected} />
        {cube && <CubeDetails cube={cube} />}
      </main>
    </div>
  );
}

function CubeDetails({ cube }: { cube: MetaCube }) {
  const rows = (kind: string, members: readonly MetaMember[]) =>
    members.map((m) => (
      <tr key={m.name} className={m.isVisible === false || m.public === false ? 'hidden-member' : ''}>
        <td>{kind}</td>
        <td>
          <code>{m.name}</code>
        </td>
        <td>{m.title}</td>
        <td>{m.type}</td>
        <td>{m.format ?? ''}</td>
        <td>{m.description ?? ''}</td>
      </tr>
    ));
  return (
    <section data-testid="cube-details">
      <h3>
        {cube.title} <span className="type">{cube.type}</span>
      </h3>
      {cube.description && <p>{cube.description}</p>}
      {cube.folders && cube.folders.length > 0 && (
        <div className="folders">
          {cube.folders.map((f) => (
            <details key={f.name}>
              <summary>📁 {f.name}</summary>
              <ul>
                {f.members.map((m) => (
                  <li key={m}>
                    <code>{m}</code>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </div>
      )}
      <table data-testid="member-table">
        <thead>
          <tr>
            <th>Kind</th>
            <th>Name</th>
            <th>Title</th>
            <th>Type</th>
            <th>Format</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {rows('measure', cube.measures)}
          {rows('dimension', cube.dimensions)}
          {rows('segment', cube.segments)}
        </tbody>
      </table>
    </section>
  );
}
