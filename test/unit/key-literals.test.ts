/**
 * The one key module's guard (test/support/key-literals.ts), shown to catch a
 * made-up breach; test/unit/code-shape.test.ts runs it on functions/.
 */
import { describe, expect, it } from 'vitest';
import { keyLiteralsIn, keyLiteralsOutside } from '../support/key-literals';

describe('keyLiteralsOutside', () => {
  it('names each file of functions/ outside the key module that writes a key literal, and no other', () => {
    const sources = [
      { path: 'functions/store/orders.ts', text: "export const key = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });" },
      { path: 'functions/store/follow-ups/history.ts', text: "const isHistory = (sk: string) => sk.startsWith('HIST#');" },
      { path: 'functions/fhir/poll.ts', text: 'const partition = `FHIR#POLL`;' },
      { path: 'functions/store/keys/orders.ts', text: "export const order = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });" },
      { path: 'functions/store/claims.ts', text: "// a claim's key is `CLAIM#<scope>#<key>`\n/** 'LEASE#sweep' */\nconst names = { '#pk': 'pk' };" },
      { path: 'functions/store/reports.ts', text: "const pk = `${PREFIX}unit-${level}#${month}`; const claim = `alert#${id}`; const sorted = 'ORDER';" },
      { path: 'lib/stack.ts', text: "const grant = 'ORDER#*';" },
    ];
    expect(keyLiteralsOutside(sources)).toEqual(['functions/fhir/poll.ts', 'functions/store/follow-ups/history.ts', 'functions/store/orders.ts']);
    expect(keyLiteralsIn(sources[0]!)).toEqual([{ line: 1, literal: 'ORDER#' }]);
  });

});
