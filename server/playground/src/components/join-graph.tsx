/**
 * The join graph as SVG: cubes on a circle, one arrow per declared join (from the declaring cube
 * to its target, the direction a join can be walked), labelled with its relationship. Cubes
 * without joins are drawn too, so an isolated cube is visible.
 */
export interface JoinEdgeView {
  readonly from: string;
  readonly to: string;
  readonly relationship: string;
}

const SIZE = 560;

export function JoinGraph({ cubes, joins, selected, onSelect }: { cubes: readonly string[]; joins: readonly JoinEdgeView[]; selected?: string; onSelect(name: string): void }) {
  const radius = SIZE / 2 - 80;
  const at = new Map(cubes.map((name, i) => {
    const angle = (2 * Math.PI * i) / Math.max(cubes.length, 1) - Math.PI / 2;
    return [name, { x: SIZE / 2 + radius * Math.cos(angle), y: SIZE / 2 + radius * Math.sin(angle) }];
  }));
  return (
    <svg width={SIZE} height={SIZE} className="join-graph" data-testid="join-graph" role="img" aria-label="join graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
        </marker>
      </defs>
      {joins.map((j, i) => {
        const a = at.get(j.from);
        const b = at.get(j.to);
        if (!a || !b) return null;
        // Stop the arrow short of the target's label.
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const len = Math.hypot(dx, dy) || 1;
        const end = { x: b.x - (dx / len) * 14, y: b.y - (dy / len) * 14 };
        return (
          <g key={i} className="join-edge" data-from={j.from} data-to={j.to}>
            <line x1={a.x} y1={a.y} x2={end.x} y2={end.y} stroke="#94a3b8" markerEnd="url(#arrow)" />
            <text x={(a.x + b.x) / 2} y={(a.y + b.y) / 2 - 4} fontSize="10" fill="#64748b" textAnchor="middle">
              {j.relationship}
            </text>
          </g>
        );
      })}
      {cubes.map((name) => {
        const p = at.get(name)!;
        return (
          <g key={name} className="join-node" onClick={() => onSelect(name)} style={{ cursor: 'pointer' }}>
            <circle cx={p.x} cy={p.y} r={8} fill={name === selected ? '#2563eb' : '#cbd5e1'} />
            <text x={p.x} y={p.y + 22} fontSize="11" textAnchor="middle">
              {name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
