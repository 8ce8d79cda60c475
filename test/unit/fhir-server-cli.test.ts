/**
 * `npm run fhir-server` (local/fhir-standin/cli.ts, CONTRACT §13) as a newcomer
 * meets it, as `npm run junction-api`: `--help` explains it and starts nothing; it
 * starts on the port asked for and prints the base URL, the token URL and a curl
 * to try; a busy port is one line that says how to choose another; a wrong option
 * is a usage error that points at `--help`.
 *
 * One case stays a process, `npm run -s fhir-server` itself: "starts with a banner
 * ...", what only a process shows: the npm script reaching the command line
 * (local/fhir-standin/entry.ts), the banner on the real stdout while the process
 * goes on running, and the stand-in answering requests from outside it. The
 * others are about the messages, the usage text and the exit codes: they run the
 * same command line in this process (standinMain, test/support/standin-cli.ts),
 * a spawn's 1.5 s of CPU saved.
 */
import { describe, expect, it } from 'vitest';
import { fhirServer as command } from '../../local/fhir-standin/cli';
import { nonEmptyLines, portHolder, runStandinInProcess, SPAWN_TIMEOUT_MS, withStandinProcess } from '../support/standin-cli';

/** Runs the fhir-server command line on `args` in this process, without FHIR_STANDIN_PORT unless given (test/support/standin-cli.ts). */
const fhirServer = (args: readonly string[], settings: Record<string, string> = {}) => runStandinInProcess(command, ['FHIR_STANDIN_PORT'], args, settings);
/** A port another program holds, for one test. */
const holdPort = portHolder();

describe('npm run fhir-server', () => {
  it('prints its usage with --help, the port setting included, and exits 0 without starting', async () => {
    const port = await holdPort();
    const { code, stdout, stderr } = await fhirServer(['--help'], { FHIR_STANDIN_PORT: String(port) });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^npm run fhir-server \[-- --port <port>\]/m);
    expect(stdout).toMatch(/^ {2}--port <port> .*default 4020/m);
    expect(stdout).toMatch(/^ {2}--client-id <id> /m);
    expect(stdout).toMatch(/^ {2}--ehr-author <style> /m);
    expect(stdout).toMatch(/^ {2}FHIR_STANDIN_PORT /m);
    expect(stdout).not.toContain('listening');
  });

  it('says in one line that its port is busy and how to pick another (exit 1, no stack trace)', async () => {
    const port = await holdPort();
    const { code, stdout, stderr } = await fhirServer([], { FHIR_STANDIN_PORT: String(port) });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(nonEmptyLines(stderr)).toEqual([
      `fhir-server: port ${port} is already in use: start it on another port with \`npm run fhir-server -- --port <port>\` (or FHIR_STANDIN_PORT; 0 picks a free one), and give npm start the FHIR_BASE_URL it prints`,
    ]);
  });

  it('refuses an unknown option, and a client id without its secret, with the usage line (exit 2)', async () => {
    const unknown = await fhirServer(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(nonEmptyLines(unknown.stderr)).toEqual([
      'fhir-server: unknown option: --bogus',
      'usage: npm run fhir-server [-- --port <port>] [--client-id <id> --client-secret <secret>] [--tags-carried-forward] [--ehr-author meta|provenance|none]   (--help explains)',
    ]);
    const alone = await fhirServer(['--client-id', 'tracker']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('fhir-server: --client-id and --client-secret go together');
    const style = await fhirServer(['--ehr-author', 'signature']);
    expect(style.code).toBe(2);
    expect(style.stderr).toContain('fhir-server: invalid ehr-author: signature (meta, provenance or none)');
  });

  it('starts with a banner naming the base URL, the token URL and a curl of Task?identifier=, and answers it', async () => {
    let origin = '';
    const run = await withStandinProcess('npm', ['run', '-s', 'fhir-server', '--', '--port', '0', '--client-id', 'tracker', '--client-secret', 's3cret'], {}, async (banner) => {
      const base = /base URL (http:\/\/127\.0\.0\.1:\d+\/fhir\/R4)$/m.exec(banner)?.[1];
      expect(base).toBeDefined();
      expect(banner).toContain(`token URL: ${base!.replace('/fhir/R4', '')}/oauth2/token`);
      expect(banner).toContain(`curl -s -H "Authorization: Bearer $TOKEN" '${base}/Task?identifier=urn:redraw-tracker:follow-up|<follow-up id>'`);
      expect(banner).not.toContain('s3cret');
      // The EHR user's edit, as the banner shows it (no token: a control route).
      origin = base!.replace('/fhir/R4', '');
      expect(banner).toContain(`curl -s -X POST ${origin}/local/ehr/Task/<Task id> -d '{"status":"completed","author":"Practitioner/123"}'`);
      expect((await fetch(`${origin}/local/ehr/Task/none`, { method: 'POST', body: '{"status":"completed","author":"Practitioner/123"}' })).status).toBe(404);
      expect((await fetch(`${base}/Task?identifier=urn:redraw-tracker:follow-up|x`)).status).toBe(401);
    });
    // Up until its banner, then stopped as Ctrl-C's sibling stops it: the script ends cleanly and its port is released.
    expect(run, run.stderr).toMatchObject({ used: true, code: 0 });
    await expect(fetch(`${origin}/local/ehr/Task/none`, { method: 'POST', body: '{}' })).rejects.toThrow();
  }, SPAWN_TIMEOUT_MS);
});
