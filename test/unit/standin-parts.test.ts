/**
 * What the two stand-ins share (local/standin/cli.ts, local/standin/control.ts,
 * local/standin/faults.ts), as plain functions: the command line's parse, the
 * control routes' dispatch, and faults taken in turn. The stand-ins themselves
 * are driven through them by test/unit/junction-api-cli.test.ts,
 * test/unit/fhir-server-cli.test.ts, test/integration/junction-standin.test.ts
 * and test/unit/fhir-standin.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseStandinArgs, UsageError, type StandinFlag } from '../../local/standin/cli';
import { answerControl, noContent, type ControlRoutes } from '../../local/standin/control';
import { takeFault } from '../../local/standin/faults';

interface Options {
  count: number;
  loud: boolean;
}

const command = {
  initialOptions: (): Options => ({ count: 0, loud: false }),
  flags: {
    '--count': {
      kind: 'value',
      read(value, options) {
        options.count = Number(value);
      },
    },
    '--loud': {
      kind: 'switch',
      set(options) {
        options.loud = true;
      },
    },
  } satisfies Record<string, StandinFlag<Options>>,
  check(options: Options) {
    if (options.count > 9) throw new UsageError('too many');
  },
};

describe("the stand-ins' command line (parseStandinArgs)", () => {
  it('reads --port, valued flags and switches in any order', () => {
    expect(parseStandinArgs(['--loud', '--port', '4011', '--count', '3'], command)).toEqual({ port: 4011, options: { count: 3, loud: true } });
    expect(parseStandinArgs([], command)).toEqual({ options: { count: 0, loud: false } });
  });

  it('answers help for --help or -h anywhere, before any other check', () => {
    expect(parseStandinArgs(['--bogus', '-h'], command)).toBe('help');
    expect(parseStandinArgs(['--port', 'x', '--help'], command)).toBe('help');
  });

  it('refuses an unknown option, a flag without its value, a bad port and what the stand-in refuses, each as a usage error', () => {
    const refusal = (args: string[]) => {
      try {
        parseStandinArgs(args, command);
      } catch (error) {
        return error instanceof UsageError ? error.message : `not a usage error: ${String(error)}`;
      }
      return 'accepted';
    };
    expect(refusal(['--bogus'])).toBe('unknown option: --bogus');
    // An object's own property names are no flags.
    expect(refusal(['constructor'])).toBe('unknown option: constructor');
    expect(refusal(['--count'])).toBe('--count needs a value');
    expect(refusal(['--port', '70000'])).toBe('invalid port: 70000');
    expect(refusal(['--port', '-1'])).toBe('invalid port: -1');
    expect(refusal(['--count', '12'])).toBe('too many');
  });
});

describe("the stand-ins' control routes (answerControl)", () => {
  const done: string[] = [];
  const routes: ControlRoutes = {
    patterns: [{ method: 'PUT', path: /^\/_standin\/things\/([^/]+)$|^\/local\/thing\/([^/]+)$/, handler: async ({ params }) => ({ status: 200, body: { id: params } }) }],
    fixed: {
      'POST /_standin/reset': noContent(() => {
        done.push('reset');
      }),
      'POST /_standin/faults': noContent(async (body) => {
        done.push(z.object({ kind: z.string() }).parse(await body()).kind);
      }),
    },
  };
  const noBody = async () => undefined;

  it('finds a route by method and path, its id from whichever alternative matched', async () => {
    expect(await answerControl(routes, 'PUT', '/_standin/things/a1', noBody)).toEqual({ status: 200, body: { id: ['a1'] } });
    expect(await answerControl(routes, 'PUT', '/local/thing/b2', noBody)).toEqual({ status: 200, body: { id: ['b2'] } });
    expect(await answerControl(routes, 'POST', '/_standin/reset', noBody)).toEqual({ status: 204 });
    expect(done).toEqual(['reset']);
  });

  it('answers 404 for another method or path, and 400 with zod\'s words for a body the route refuses', async () => {
    expect(await answerControl(routes, 'GET', '/_standin/things/a1', noBody)).toEqual({ status: 404, body: { detail: 'Not Found' } });
    const refused = await answerControl(routes, 'POST', '/_standin/faults', async () => ({ kind: 7 }));
    expect(refused.status).toBe(400);
    expect(String((refused.body as { detail: string }).detail)).toContain('kind');
  });

  it('lets any other error through, for the stand-in to answer', async () => {
    await expect(answerControl(routes, 'POST', '/_standin/faults', async () => Promise.reject(new SyntaxError('not JSON')))).rejects.toThrow(SyntaxError);
  });
});

describe('faults taken in turn (takeFault)', () => {
  it('takes the first match, counts its times down to its removal, and keeps an `always` one', () => {
    const faults: { name: string; times: number | 'always' }[] = [
      { name: 'a', times: 2 },
      { name: 'b', times: 'always' },
    ];
    const anyFault = () => true;
    expect(takeFault(faults, anyFault)?.name).toBe('a');
    expect(faults[0]).toEqual({ name: 'a', times: 1 });
    expect(takeFault(faults, anyFault)?.name).toBe('a');
    expect(faults.map((fault) => fault.name)).toEqual(['b']);
    expect(takeFault(faults, anyFault)?.name).toBe('b');
    expect(takeFault(faults, anyFault)?.name).toBe('b');
    expect(takeFault(faults, (fault) => fault.name === 'c')).toBeNull();
  });
});
