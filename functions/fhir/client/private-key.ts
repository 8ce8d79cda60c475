/**
 * The private key of SMART Backend Services (CONTRACT §13, `private_key_jwt`):
 * which JWS algorithm a PEM key signs with, RS384 for RSA and ES384 for EC
 * P-384, the two SMART names. Checked where the key is given (the settings, for
 * FHIR_PRIVATE_KEY) and where it is read (the token source, for a key kept in
 * Secrets Manager), so a key the server could never accept fails with its
 * setting's name rather than at the token endpoint. Problems name the key's type
 * or curve, never a byte of the key.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';

export type SigningAlg = 'RS384' | 'ES384';

/** A usable key as PKCS#8 PEM (what jose's importPKCS8 reads) and its algorithm, or why the text is not one. */
export type SigningKey = { ok: true; alg: SigningAlg; pkcs8: string } | { ok: false; problem: string };

/** The least RSA modulus jose signs with (and NIST's floor). */
const MIN_RSA_BITS = 2048;

/**
 * A PEM as it may be given in an environment variable or a secret: one line
 * with literal `\n` escapes (how `.env` files and consoles keep it), or CRLF
 * line ends; answered with real line ends and no surrounding blanks.
 */
export function normalisePem(text: string): string {
  return text.replace(/\\r\\n|\\n/g, '\n').replace(/\r\n/g, '\n').trim();
}

/**
 * The algorithm `pem` signs with and its PKCS#8 form (a PKCS#1 RSA or SEC1 EC
 * key is converted), or the problem: not an unencrypted PEM private key, a type
 * other than RSA or EC, a curve other than P-384, an RSA key under 2048 bits.
 */
export function signingKeyOf(pem: string): SigningKey {
  const text = normalisePem(pem);
  if (!/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----$/.test(text)) {
    return { ok: false, problem: 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)' };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    // node's message is not passed on: it is no secret, but it could grow to quote input one day.
    return { ok: false, problem: 'must be an unencrypted PEM private key that node can read' };
  }
  const alg = algorithmOf(key);
  if (!alg.ok) return alg;
  return { ok: true, alg: alg.alg, pkcs8: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function algorithmOf(key: KeyObject): { ok: true; alg: SigningAlg } | { ok: false; problem: string } {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    return bits >= MIN_RSA_BITS ? { ok: true, alg: 'RS384' } : { ok: false, problem: `must be an RSA key of at least ${MIN_RSA_BITS} bits (RS384), not ${bits}` };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    return curve === 'secp384r1' ? { ok: true, alg: 'ES384' } : { ok: false, problem: `must be an EC key on P-384 (ES384), not on ${curveName(curve)}` };
  }
  return { ok: false, problem: `must be an RSA key (RS384) or an EC P-384 key (ES384), not ${key.asymmetricKeyType ?? 'a key of unknown type'}` };
}

/** The NIST name of the curves people meet, else node's. */
function curveName(curve: string): string {
  return ({ prime256v1: 'P-256', secp521r1: 'P-521', secp256k1: 'secp256k1' } as Record<string, string>)[curve] ?? curve;
}
