/**
 * The stand-in FHIR server's answers (local/fhir-standin.ts): an answer as it is
 * sent, OperationOutcomes, the R4 check of what is stored, and reading a request's
 * body, shared by the server, its EHR user (local/fhir-standin/ehr.ts) and its
 * control routes (local/fhir-standin/control.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { r4Problems } from '../fhir-validation';
import { readBodyWithin } from '../http-adapter';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const MAX_BODY_BYTES = 1_000_000;

/** An answer as the stand-in sends it; thrown, a refusal (an in-process editTask's rejection carries its status and OperationOutcome). */
export class FhirStandinAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`the FHIR stand-in answers ${status}`);
  }
}

/** An issue of an answer's OperationOutcome (its code any R4 issue-type, or one a fault names). */
export interface Issue {
  code: string;
  diagnostics: string;
  expression?: string[];
}

export function outcome(status: number, issues: readonly Issue[], headers: Record<string, string> = {}): FhirStandinAnswer {
  const body: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: issues.map((issue): OperationOutcomeIssue => ({ severity: 'error', ...issue, code: issue.code as OperationOutcomeIssue['code'] })),
  };
  return new FhirStandinAnswer(status, body, headers);
}

/** Throws a 422 FhirStandinAnswer when `resource` is not valid R4. */
export function refuseInvalid(resource: unknown): void {
  const problems = r4Problems(resource);
  if (problems.length > 0) {
    throw outcome(
      422,
      problems.map((problem) => ({ code: problem.code, diagnostics: problem.message, expression: [problem.expression] })),
    );
  }
}

export const header = (request: IncomingMessage, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
};

export async function readBody(request: IncomingMessage): Promise<string> {
  const body = await readBodyWithin(request, MAX_BODY_BYTES, MAX_BODY_BYTES);
  if (body === null) throw outcome(413, [{ code: 'too-costly', diagnostics: 'body too large' }]);
  return body.toString('utf8');
}

export async function readResourceBody(request: IncomingMessage): Promise<unknown> {
  const text = await readBody(request);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw outcome(400, [{ code: 'structure', diagnostics: 'the body is not JSON' }]);
  }
}

export function send(response: ServerResponse, answer: FhirStandinAnswer, contentType = FHIR_JSON): void {
  if (response.headersSent || response.destroyed) return;
  if (answer.status === 204) {
    response.writeHead(204, answer.headers);
    response.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...answer.headers });
  response.end(text);
}
