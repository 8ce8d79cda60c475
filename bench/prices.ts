/** On-demand prices, US East (N. Virginia): dollars per million units (system-cost.ts and issue 76's break-even share). */
export const PRICES = { writeUnit: 0.625, readUnit: 0.125 } as const;
