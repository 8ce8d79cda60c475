/**
 * The bench table's one layout rule: a row of right-aligned cells, the first
 * 10 characters wide and the others 12 (the ingest, sweep, system, cold-start and FHIR sections).
 */
export function pad(cells: readonly (string | number)[]): string {
  return cells.map((cell, index) => String(cell).padStart(index === 0 ? 10 : 12)).join(' ');
}
