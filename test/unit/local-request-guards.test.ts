import { describe, expect, it } from 'vitest';
import { crossSiteRefusal, isOwnHost, misdirectedPage } from '../../local/request-guards';

const PORT = 3000;

describe('crossSiteRefusal', () => {
  it.each<[string, Record<string, string>]>([
    ['a cross-site form (both headers)', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['Sec-Fetch-Site cross-site alone', { 'sec-fetch-site': 'cross-site' }],
    ['another port on this machine (same-site)', { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:5173' }],
    ['an unknown Sec-Fetch-Site value', { 'sec-fetch-site': 'same-planet' }],
    ['Origin of another site, no Fetch Metadata (an older browser)', { origin: 'https://evil.example' }],
    ['Origin of another port', { origin: 'http://localhost:3001' }],
    ['Origin https on the own port', { origin: 'https://127.0.0.1:3000' }],
    ['an opaque Origin (sandboxed frame, file://)', { origin: 'null' }],
    ['same-origin Fetch Metadata with a foreign Origin', { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }],
  ])('refuses %s', (_name, headers) => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'post']) {
      expect(crossSiteRefusal(method, headers, PORT), method).toMatch(/^refused: .*npm start takes changes only from its console at http:\/\/127\.0\.0\.1:3000\//);
    }
  });

  it('says which header refused it', () => {
    expect(crossSiteRefusal('POST', { 'sec-fetch-site': 'cross-site' }, PORT)).toContain('Sec-Fetch-Site: cross-site');
    expect(crossSiteRefusal('POST', { 'sec-fetch-site': 'same-site' }, PORT)).toContain('another port');
    expect(crossSiteRefusal('POST', { origin: 'https://evil.example' }, PORT)).toContain("Origin is not this tracker's (http://127.0.0.1:3000 or http://localhost:3000)");
    // The foreign origin is never echoed back.
    expect(crossSiteRefusal('POST', { origin: 'https://evil.example' }, PORT)).not.toContain('evil');
  });

  it.each<[string, Record<string, string>]>([
    ['no browser headers (curl, the CLI, Node fetch)', {}],
    ['the console on 127.0.0.1', { 'sec-fetch-site': 'same-origin', origin: 'http://127.0.0.1:3000' }],
    ['the console on localhost', { 'sec-fetch-site': 'same-origin', origin: 'http://LOCALHOST:3000' }],
    ['typed or bookmarked (none)', { 'sec-fetch-site': 'none' }],
    ['Origin alone, the own one', { origin: 'http://127.0.0.1:3000' }],
  ])('lets through %s', (_name, headers) => {
    expect(crossSiteRefusal('POST', headers, PORT)).toBeNull();
  });

  it('never refuses a method that changes nothing', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(crossSiteRefusal(method, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, PORT)).toBeNull();
  });
});

describe('isOwnHost', () => {
  it('takes 127.0.0.1 and localhost at the port, any case, and nothing else', () => {
    expect(isOwnHost('127.0.0.1:3000', PORT)).toBe(true);
    expect(isOwnHost('LocalHost:3000', PORT)).toBe(true);
    for (const host of [undefined, 'localhost', 'localhost:8080', 'evil.example:3000', '127.0.0.1.nip.io:3000', '[::1]:3000']) expect(isOwnHost(host, PORT), String(host)).toBe(false);
  });
});

describe('misdirectedPage', () => {
  it('names the port to forward and the address asked for, escaped', () => {
    const page = misdirectedPage('<script>alert(1)</script>:8080', PORT);
    expect(page).toContain('ssh -L 3000:127.0.0.1:3000');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;:8080');
    expect(page).not.toContain('<script');
    expect(misdirectedPage(undefined, PORT)).toContain('no Host at all');
  });
});
