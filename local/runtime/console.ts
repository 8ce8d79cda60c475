/**
 * npm start's console (CONTRACT §12), bundled once at start (console-assets.ts):
 * the page, its script and style, and config.json, served to GET by path with
 * their caching and compression.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildConsole, consoleAnswer, consoleFile, LOCAL_CONSOLE_CONFIG } from '../console-assets';

/** Answers a console file's request; false when `method` and `path` name none. */
export type ConsoleServer = (method: string, path: string, request: IncomingMessage, response: ServerResponse) => boolean;

export async function loadConsole(): Promise<ConsoleServer> {
  const files = (await buildConsole()).files;
  files.set('/config.json', consoleFile({ body: Buffer.from(JSON.stringify(LOCAL_CONSOLE_CONFIG)), contentType: 'application/json; charset=utf-8', immutable: false, firstLoad: true }));
  return (method, path, request, response) => {
    const served = method === 'GET' ? files.get(path) : undefined;
    if (!served) return false;
    const answer = consoleAnswer(served, { 'accept-encoding': request.headers['accept-encoding'], 'if-none-match': request.headers['if-none-match'] });
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body ?? undefined);
    return true;
  };
}
