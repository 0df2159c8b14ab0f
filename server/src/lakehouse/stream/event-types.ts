/** The site/app interactions the producer emits, in funnel order. */
export const EVENT_TYPES = ['page_view', 'product_view', 'add_to_cart', 'remove_from_cart', 'checkout_start', 'purchase'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Event types that concern one product line and so carry product_id, price and quantity. */
export const PRODUCT_EVENT_TYPES: ReadonlySet<EventType> = new Set(['product_view', 'add_to_cart', 'remove_from_cart', 'purchase']);

/**
 * One site/app event as it travels on the stream (JSON, snake_case like the bronze columns).
 * `event_time` is when it happened on the device (ISO-8601 UTC); the arrival time is Kinesis'
 * ApproximateArrivalTimestamp and is kept apart. A purchase is one event per order line, all lines
 * sharing `order_id`, so revenue is Σ price × quantity and orders are distinct order ids.
 */
export interface StreamEvent {
  readonly event_id: string;
  readonly event_type: EventType;
  readonly event_time: string;
  readonly session_id: string;
  readonly anonymous_id: string;
  readonly customer_id: string | null;
  readonly device: string;
  readonly channel: 'site' | 'app';
  readonly utm_source: string | null;
  readonly utm_medium: string | null;
  readonly utm_campaign: string | null;
  readonly product_id: string | null;
  readonly price: number | null;
  readonly quantity: number | null;
  readonly order_id: string | null;
}
