/**
 * Validates real HTTP answers against docs/openapi.json (OpenAPI 3.1, whose
 * schemas are JSON Schema 2020-12) with ajv, so the document cannot drift from
 * what the handlers answer.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { QueryEvent, QueryResponse } from '../../functions/query/app';

const DOC_ID = 'openapi.json';

/** The parsed docs/openapi.json. */
export function openApiDocument(): Record<string, unknown> {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'openapi.json');
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(parsed)) throw new Error('docs/openapi.json is not an object');
  return parsed;
}

export interface Answer {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
}

/**
 * A checker for answers of `method path` (the OpenAPI path template, e.g.
 * `/orders/{order_id}`). It throws, naming the problem, when the status is not
 * documented for the operation or the JSON body does not match its schema.
 */
export function openApiValidator() {
  const doc = openApiDocument();
  // Only components/schemas is JSON Schema (paths, info, ... are not): it is
  // compiled strictly as the $defs of one schema, its refs pointed there.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const schemas = lookup(doc, ['components', 'schemas']);
  const defs: unknown = JSON.parse(JSON.stringify(schemas).replaceAll('"#/components/schemas/', '"#/$defs/'));
  ajv.addSchema({ $id: DOC_ID, $defs: defs }, DOC_ID);
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

  return function assertDocumented(method: string, pathTemplate: string, answer: Answer): void {
    const operation = lookup(doc, ['paths', pathTemplate, method.toLowerCase()]);
    const response = lookup(operation, ['responses', String(answer.statusCode)]);
    const content = isRecord(response) ? response.content : undefined;
    if (!isRecord(content)) return; // documented without a body
    const schema = lookup(content, ['application/json', 'schema']);
    if (!isRecord(schema) || typeof schema.$ref !== 'string') throw new Error(`${method} ${pathTemplate} ${answer.statusCode}: schema must be a $ref`);
    const contentType = Object.entries(answer.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/json')) {
      throw new Error(`${method} ${pathTemplate} ${answer.statusCode}: content-type is not application/json`);
    }
    const ref = `${DOC_ID}${schema.$ref.replace('#/components/schemas/', '#/$defs/')}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    const body: unknown = JSON.parse(answer.body ?? '');
    if (!validate(body)) {
      throw new Error(`${method} ${pathTemplate} ${answer.statusCode}: ${ajv.errorsText(validate.errors)}`);
    }
  };
}

/** GET `path` of the query function `handle()` answers with, `assertDocumented` checking the answer for `template`. */
export function documentedGet(handle: () => (event: QueryEvent) => Promise<QueryResponse>, assertDocumented: ReturnType<typeof openApiValidator>) {
  return async (path: string, template: string, query?: Record<string, string>): Promise<QueryResponse> => {
    const event: QueryEvent = { routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, ...(query ? { queryStringParameters: query } : {}) };
    const response = await handle()(event);
    assertDocumented('GET', template, response);
    return response;
  };
}

function lookup(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current) || !(key in current)) throw new Error(`not documented in docs/openapi.json: ${path.join(' > ')}`);
    current = current[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
