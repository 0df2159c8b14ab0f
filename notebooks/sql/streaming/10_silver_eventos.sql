-- silver.eventos: typed, deduplicated events. UTM tags are normalized (trimmed, lower case,
-- empty = untagged). An event id already in silver is never inserted again.
MERGE INTO silver.eventos AS t
USING (
  SELECT event_id, event_type, event_time, session_id, anonymous_id, customer_id, device, channel,
    NULLIF(lower(trim(utm_source)), '') AS utm_source,
    NULLIF(lower(trim(utm_medium)), '') AS utm_medium,
    NULLIF(lower(trim(utm_campaign)), '') AS utm_campaign,
    product_id, order_id, CAST(price AS DECIMAL(18,2)) AS price, CAST(quantity AS INT) AS quantity,
    _arrival_time AS arrival_time
  FROM (
    SELECT b.*, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY _arrival_time, _sequence_number) AS rn
    FROM bronze_events_batch b
  ) ranked
  WHERE rn = 1
) AS s
ON t.event_id = s.event_id
WHEN NOT MATCHED THEN INSERT (
  event_id, event_type, event_time, session_id, anonymous_id, customer_id, device, channel,
  utm_source, utm_medium, utm_campaign, product_id, order_id, price, quantity, arrival_time
) VALUES (
  s.event_id, s.event_type, s.event_time, s.session_id, s.anonymous_id, s.customer_id, s.device, s.channel,
  s.utm_source, s.utm_medium, s.utm_campaign, s.product_id, s.order_id, s.price, s.quantity, s.arrival_time
);
