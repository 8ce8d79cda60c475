import { describe, expect, it } from 'vitest';
import { openApiDocument, openApiValidator } from '../support/openapi';

describe('docs/openapi.json', () => {
  const doc = openApiDocument();

  it('is OpenAPI 3.1 with JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('documents the whole HTTP surface of the contract', () => {
    const paths = doc.paths;
    expect(paths).toBeTypeOf('object');
    const operations = Object.entries(paths ?? {}).flatMap(([path, item]) => Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      ['POST /webhooks/junction', 'GET /orders/{order_id}', 'GET /transactions/{transaction_id}', 'GET /redraws', 'GET /health', 'POST /local/sweep'].sort(),
    );
  });

  it('compiles every response schema strictly, with every $ref resolved', () => {
    const assertDocumented = openApiValidator();
    const json = { 'content-type': 'application/json' };
    // Minimal valid bodies: compiling them proves the $refs and schemas; the checks prove they bite.
    assertDocumented('POST', '/webhooks/junction', { statusCode: 200, headers: json, body: '{"result":"applied"}' });
    assertDocumented('POST', '/webhooks/junction', { statusCode: 202, headers: json, body: '{"result":"quarantined"}' });
    assertDocumented('POST', '/webhooks/junction', { statusCode: 401, headers: json, body: '{"error":{"code":"invalid_signature"}}' });
    assertDocumented('POST', '/webhooks/junction', { statusCode: 413, headers: json, body: '{"error":{"code":"payload_too_large"}}' });
    assertDocumented('GET', '/health', { statusCode: 200, headers: json, body: '{"ok":true}' });
    assertDocumented('POST', '/local/sweep', { statusCode: 200, headers: json, body: '{"examined":3,"flagged":1,"cleared":0,"reconciled":0,"synced":0}' });
    assertDocumented('GET', '/redraws', { statusCode: 200, headers: json, body: '{"items":[],"next_cursor":null}' });
    expect(() => assertDocumented('POST', '/webhooks/junction', { statusCode: 200, headers: json, body: '{"result":"maybe"}' })).toThrow();
    expect(() => assertDocumented('POST', '/local/sweep', { statusCode: 200, headers: json, body: '{"examined":3}' })).toThrow();
    expect(() => assertDocumented('GET', '/health', { statusCode: 418, headers: json, body: '{}' })).toThrow(/not documented/);
  });
});
