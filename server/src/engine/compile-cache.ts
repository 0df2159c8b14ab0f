/**
 * A small LRU of what the engine's stages computed for a request, so a repeated query skips them:
 * the authorized plans (normalize → plan → authorize) and the lowered SQL. The key holds
 * everything those depend on: the model version, the (rewritten) query JSON, the security context
 * (it feeds SQL parameters) and "now" to the second (relative date ranges snap to whole seconds
 * or coarser units).
 */
export class CompileCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity = 1000) {}

  static key(modelVersion: string, query: unknown, securityContext: unknown, now: Date): string {
    return `${modelVersion}\n${Math.floor(now.getTime() / 1000)}\n${JSON.stringify(securityContext)}\n${JSON.stringify(query)}`;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: V): void {
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
