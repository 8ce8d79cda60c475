/**
 * Lambda's event filtering as far as the stack's patterns use it (the FHIR
 * writer's mapping): a pattern is an object whose leaves are arrays of values,
 * and a record passes when, for every leaf, the record has a value at that path
 * equal to one of them (a DynamoDB image's numbers are their text, `{"N": "1"}`).
 * A pattern's object fields must all match; a field the record lacks does not.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
export function passesFilter(pattern: unknown, record: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((value) => value === record);
  if (pattern === null || typeof pattern !== 'object') throw new TypeError('a filter pattern is objects with arrays of values at its leaves');
  if (record === null || typeof record !== 'object') return false;
  return Object.entries(pattern).every(([field, inner]) => field in record && passesFilter(inner, (record as Record<string, unknown>)[field]));
}
