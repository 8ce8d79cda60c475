/**
 * The rooms of functions/ and the arrows between rooms, as the shape rules
 * (test/unit/code-shape.test.ts) read them: plain functions of file paths
 * and imports, each rule shown there to catch a made-up breach.
 */

/** The lower rooms of functions/, in the order they may stand on each other. */
export const LOWER_ROOMS = ['notices', 'fhir', 'store', 'junction', 'shared', 'core'] as const;

/** The FHIR wing's rooms (functions/fhir/), lowest first: the client (the exchange, its settings and token) < the order-safe write (issue 86). */
export const FHIR_WING_ORDER: readonly (readonly string[])[] = [['client'], ['sync']];

/** `functions/<room>/...` -> the room, or undefined outside functions/. */
export function roomOf(file: string): string | undefined {
  const match = /^functions\/([^/]+)\//.exec(file);
  return match?.[1];
}

export const isLowerRoom = (room: string | undefined) => (LOWER_ROOMS as readonly string[]).includes(room ?? '');

/** Imports that go up or sideways in an order of rooms (levels, lowest first; rooms on one level never import each other). */
export function arrowsUp(edges: ReadonlyMap<string, readonly string[]>, roomOf: (file: string) => string | undefined, levels: readonly (readonly string[])[]): string[] {
  const levelOf = (room: string) => levels.findIndex((level) => level.includes(room));
  return [...edges].flatMap(([file, targets]) => {
    const from = roomOf(file);
    if (from === undefined) return [];
    return targets
      .filter((target) => {
        const to = roomOf(target);
        if (to === undefined || to === from) return false;
        return levelOf(to) === -1 || levelOf(from) === -1 || levelOf(to) >= levelOf(from);
      })
      .map((target) => `${file} -> ${target}`);
  });
}

/** `functions/fhir/<room>/...` -> the FHIR wing's room; a file loose at functions/fhir/ -> ''; undefined outside the wing. */
export function fhirWingRoomOf(file: string): string | undefined {
  const match = /^functions\/fhir\/(?:([^/]+)\/|[^/]+$)/.exec(file);
  return match ? (match[1] ?? '') : undefined;
}

/** Files of the FHIR wing outside its rooms (loose at its root, or in a folder that is neither client/ nor sync/). */
export function outsideFhirWingRooms(paths: readonly string[]): string[] {
  return paths.filter((file) => {
    const room = fhirWingRoomOf(file);
    return room !== undefined && !FHIR_WING_ORDER.some((level) => level.includes(room));
  });
}

/**
 * What breaks "entries only at functions/'s root" (issue 86): a handler.ts
 * anywhere but `functions/<entry>/handler.ts`, a handler.ts in a lower room, a
 * folder at the root that is neither an entry nor a lower room, a lower room
 * named like an entry (`fhir-sync`: hyphenated, as the entries are), and a
 * file loose at the root.
 */
export function entryShapeBreaches(paths: readonly string[]): string[] {
  const inFunctions = paths.filter((file) => file.startsWith('functions/'));
  const handlers = inFunctions.filter((file) => /(?:^|\/)handler\.ts$/.test(file));
  const entries = new Set(handlers.flatMap((file) => /^functions\/([^/]+)\/handler\.ts$/.exec(file)?.[1] ?? []).filter((room) => !isLowerRoom(room)));
  const misplaced = handlers.filter((file) => !entries.has(/^functions\/([^/]+)\/handler\.ts$/.exec(file)?.[1] ?? '')).map((file) => `${file}: a handler below functions/'s root or in a lower room`);
  const folders = new Set(inFunctions.map((file) => file.split('/')));
  const loose = [...folders].filter((parts) => parts.length === 2).map((parts) => `${parts.join('/')}: a file loose at functions/'s root`);
  const rooms = new Set([...folders].filter((parts) => parts.length > 2).map((parts) => parts[1]!));
  const neither = [...rooms].filter((room) => !entries.has(room) && !isLowerRoom(room)).sort().map((room) => `functions/${room}/: neither an entry (no handler.ts) nor a lower room`);
  const likeEntry = [...rooms].filter((room) => isLowerRoom(room) && room.includes('-')).map((room) => `functions/${room}/: a lower room named like an entry`);
  return [...misplaced.sort(), ...loose.sort(), ...neither, ...likeEntry];
}
