import { randomUUID } from 'node:crypto';
import type { EventType, StreamEvent } from './event-types.ts';
import { defaultEventCatalog, type EventCatalog } from './event-catalog.ts';

/** Options for the synthetic session funnel. */
export interface EventGeneratorOptions {
  readonly catalog?: EventCatalog;
  /** Seed for the funnel shape (ids stay random UUIDs so runs never collide). */
  readonly seed?: number;
  /** Sessions in flight at once; events of different sessions interleave like real traffic. */
  readonly concurrentSessions?: number;
  readonly now?: () => number;
}

interface PlannedStep {
  readonly type: EventType;
  readonly product?: { readonly product_id: string; readonly price: number };
  readonly quantity?: number;
  readonly utm?: EventCatalog['campaigns'][number];
}

interface LiveSession {
  readonly sessionId: string;
  readonly anonymousId: string;
  readonly customerId: string | null;
  readonly device: string;
  readonly channel: 'site' | 'app';
  readonly steps: PlannedStep[];
  readonly orderId: string;
  next: number;
}

/**
 * Produces site/app events as interleaved session funnels: a landing page view (UTM-tagged for
 * most sessions), product views, add/remove to cart, checkout and a purchase of the cart lines.
 * Some visitors return in untagged sessions, which the last-click rule attributes to their
 * previous tagged session.
 */
export class EventGenerator {
  private readonly catalog: EventCatalog;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly live: LiveSession[] = [];
  private readonly visitors: { anonymousId: string; customerId: string | null }[] = [];

  constructor(options: EventGeneratorOptions = {}) {
    this.catalog = options.catalog ?? defaultEventCatalog();
    this.random = mulberry32(options.seed ?? 42);
    this.now = options.now ?? Date.now;
    for (let i = 0; i < (options.concurrentSessions ?? 40); i++) this.live.push(this.startSession());
  }

  /** The next event of a randomly chosen live session, stamped with the current time. */
  next(): StreamEvent {
    const index = Math.floor(this.random() * this.live.length);
    const session = this.live[index]!;
    const step = session.steps[session.next++]!;
    if (session.next >= session.steps.length) this.live[index] = this.startSession();
    return toEvent(session, step, new Date(this.now()).toISOString());
  }

  /** `count` events in emission order. */
  take(count: number): StreamEvent[] {
    return Array.from({ length: count }, () => this.next());
  }

  private startSession(): LiveSession {
    const returning = this.visitors.length > 20 && this.random() < 0.3;
    const visitor = returning ? this.pick(this.visitors) : this.newVisitor();
    const tagged = !returning || this.random() < 0.4;
    const channel = this.random() < 0.6 ? 'site' : 'app';
    return {
      sessionId: randomUUID(),
      anonymousId: visitor.anonymousId,
      customerId: visitor.customerId,
      device: channel === 'app' ? this.pick(['ios', 'android']) : this.pick(['desktop', 'mobile', 'tablet']),
      channel,
      steps: this.planFunnel(tagged ? this.pick(this.catalog.campaigns) : undefined),
      orderId: `W${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
      next: 0,
    };
  }

  private newVisitor(): { anonymousId: string; customerId: string | null } {
    const visitor = { anonymousId: randomUUID(), customerId: this.random() < 0.4 ? this.pick(this.catalog.customerIds) : null };
    if (this.visitors.length < 5_000) this.visitors.push(visitor);
    return visitor;
  }

  private planFunnel(utm: PlannedStep['utm']): PlannedStep[] {
    const steps: PlannedStep[] = [{ type: 'page_view', utm }];
    const cart: PlannedStep[] = [];
    const views = 1 + Math.floor(this.random() * 5);
    for (let i = 0; i < views; i++) {
      const product = this.pick(this.catalog.products);
      steps.push({ type: 'product_view', product });
      if (this.random() < 0.35) {
        const line = { type: 'add_to_cart' as const, product, quantity: 1 + Math.floor(this.random() * 3) };
        steps.push(line);
        if (this.random() < 0.15) steps.push({ ...line, type: 'remove_from_cart' });
        else cart.push(line);
      }
      if (this.random() < 0.3) steps.push({ type: 'page_view' });
    }
    if (cart.length > 0 && this.random() < 0.55) {
      steps.push({ type: 'checkout_start' });
      if (this.random() < 0.7) for (const line of cart) steps.push({ ...line, type: 'purchase' });
    }
    return steps;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
}

function toEvent(session: LiveSession, step: PlannedStep, eventTime: string): StreamEvent {
  return {
    event_id: randomUUID(),
    event_type: step.type,
    event_time: eventTime,
    session_id: session.sessionId,
    anonymous_id: session.anonymousId,
    customer_id: session.customerId,
    device: session.device,
    channel: session.channel,
    utm_source: step.utm?.utm_source ?? null,
    utm_medium: step.utm?.utm_medium ?? null,
    utm_campaign: step.utm?.utm_campaign ?? null,
    product_id: step.product?.product_id ?? null,
    price: step.product?.price ?? null,
    quantity: step.product ? (step.quantity ?? 1) : null,
    order_id: step.type === 'purchase' ? session.orderId : null,
  };
}

/** Small fast seeded PRNG: the funnel shape is reproducible for a seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
