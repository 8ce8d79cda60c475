/**
 * Objects of known fields, handled field by field: copied (only the fields
 * named, in their order, so that nothing else an object handed in carries
 * goes on to a subscriber) or added (counts kept as one number per field).
 */

/** `value`'s fields `names`, in that order, and nothing else. */
export function pickFields<T extends object, K extends keyof T>(value: T, names: readonly K[]): Pick<T, K> {
  return Object.fromEntries(names.map((name) => [name, value[name]])) as Pick<T, K>;
}

/** `a` and `b` added field by field over `names` (each a count), in that order. */
export function addFields<K extends string>(a: Readonly<Record<K, number>>, b: Readonly<Record<K, number>>, names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((name) => [name, a[name] + b[name]])) as Record<K, number>;
}
