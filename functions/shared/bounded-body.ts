/**
 * A fetch answer's body read within a bound (CONTRACT §13: a body over 5 MiB is
 * no answer). The body is read as a stream, and the read stops as soon as more
 * than `limitBytes` have come (or a `Content-Length` says they will): the body is
 * cancelled, which closes the connection without draining it, so a 200 MB answer
 * costs at most the bound (and one chunk) of memory. A read the request's own
 * abort signal cuts (a timeout) rejects as that signal says; the caller owns it.
 * Dependency-free: it is bundled into Lambdas.
 */

/** The body decoded as UTF-8 (a byte-order mark dropped, as `Response.text()` does), or `too_large`. */
export type BoundedText = { kind: 'text'; text: string } | { kind: 'too_large' };

export async function readTextWithin(response: Response, limitBytes: number): Promise<BoundedText> {
  const { body } = response;
  if (body === null) return { kind: 'text', text: '' };
  if (declaredLength(response) > limitBytes) {
    await body.cancel().catch(() => undefined);
    return { kind: 'too_large' };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limitBytes) {
      await reader.cancel().catch(() => undefined);
      return { kind: 'too_large' };
    }
    chunks.push(value);
  }
  return { kind: 'text', text: new TextDecoder().decode(Buffer.concat(chunks, length)) };
}

/** The `Content-Length` the answer gives, or 0 when it gives none (or none readable). */
function declaredLength(response: Response): number {
  const header = response.headers.get('content-length');
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : 0;
}
