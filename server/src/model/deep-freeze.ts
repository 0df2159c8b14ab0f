/** Freezes a plain-data tree in place (the compiled model is shared by concurrent requests). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if (child !== null && typeof child === 'object') deepFreeze(child);
    }
  }
  return value;
}
