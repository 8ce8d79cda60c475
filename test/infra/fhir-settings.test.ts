/**
 * CONTRACT §13: the `fhir` setting of cdk.json, checked by zod at synth with the setting named in the
 * error, and the defaults it fills (the functions' own).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_CATCH_UP_PER_SWEEP, DEFAULT_FHIR_POLL_MAX, DEFAULT_FHIR_POLL_SECONDS, DEFAULT_FHIR_SCOPE } from '../../functions/fhir/client/settings';
import { FHIR_DEFAULTS, parseSettings } from '../../lib/settings';
import { cdkJsonSettings, FHIR_SETTING } from './stack';

describe('the fhir setting (zod, named in the error)', () => {
  const base = { ...cdkJsonSettings() };
  const parseFhir = (fhir: unknown) => parseSettings({ ...base, fhir }).fhir;

  it('fills the contract\'s defaults (systems, scope, catch-up, the EHR actions, the poll) and keeps what is given', () => {
    expect(parseFhir({ baseUrl: 'https://fhir.example.org/r4' })).toEqual({ baseUrl: 'https://fhir.example.org/r4', ...Object.fromEntries(Object.entries(FHIR_DEFAULTS)) });
    // The functions' own defaults (functions/fhir/client/settings.ts): what npm start and a function without the variable use.
    expect(FHIR_DEFAULTS).toMatchObject({ scope: DEFAULT_FHIR_SCOPE, catchUpPerSweep: DEFAULT_FHIR_CATCH_UP_PER_SWEEP, ehrActions: 'on', pollSeconds: DEFAULT_FHIR_POLL_SECONDS, pollMax: DEFAULT_FHIR_POLL_MAX });
    expect(FHIR_DEFAULTS.scope.split(' ')).toEqual(['system/Task.rs', 'system/Task.cu', 'system/Practitioner.r', 'system/PractitionerRole.r', 'system/Provenance.rs']);
    expect(parseFhir({ baseUrl: 'https://fhir.example.org/r4', ehrActions: 'off', pollSeconds: 60, pollMax: 100_000 })).toMatchObject({ ehrActions: 'off', pollSeconds: 60, pollMax: 100_000 });
    expect(parseFhir(FHIR_SETTING)).toMatchObject(FHIR_SETTING);
    expect(parseFhir({ baseUrl: 'https://fhir.example.org/r4', catchUpPerSweep: 50, scope: 'system/Task.read system/Task.write' })).toMatchObject({ catchUpPerSweep: 50, scope: 'system/Task.read system/Task.write' });
  });

  it.each([
    [{ baseUrl: 'http://fhir.example.org/r4' }, /redrawTracker\.fhir\.baseUrl: must be an https URL/],
    [{ baseUrl: 'https://fhir.example.org/r4/' }, /redrawTracker\.fhir\.baseUrl: must not end with a slash/],
    [{ baseUrl: 'https://fhir.example.org/r4?x=1' }, /redrawTracker\.fhir\.baseUrl: must have no query or fragment/],
    [{}, /redrawTracker\.fhir\.baseUrl/],
    [{ baseUrl: 'https://fhir.example.org/r4', orderSystem: 'junction order' }, /redrawTracker\.fhir\.orderSystem: must be a URN/],
    [{ baseUrl: 'https://fhir.example.org/r4', taskSystem: 'urn:x:y|z' }, /redrawTracker\.fhir\.taskSystem/],
    [{ baseUrl: 'https://fhir.example.org/r4', codeSystem: 'https://example.org/codes/' }, /redrawTracker\.fhir\.codeSystem: must not end with a slash/],
    [{ baseUrl: 'https://fhir.example.org/r4', tokenUrl: 'https://auth.example.org/token' }, /redrawTracker\.fhir\.clientId: is required with tokenUrl; redrawTracker\.fhir\.tokenUrl: needs a credential/],
    [{ baseUrl: 'https://fhir.example.org/r4', clientId: 'x', clientSecretName: 'fhir/client_secret' }, /redrawTracker\.fhir\.clientId: is only used with tokenUrl/],
    [{ ...FHIR_SETTING, keyId: undefined }, /redrawTracker\.fhir\.keyId: is required with privateKeySecretName/],
    [{ ...FHIR_SETTING, clientSecretName: 'fhir/client_secret' }, /redrawTracker\.fhir\.privateKeySecretName: give clientSecretName or privateKeySecretName, not both/],
    [{ ...FHIR_SETTING, privateKeySecretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }, /redrawTracker\.fhir\.privateKeySecretName: must be a Secrets Manager secret's name/],
    [{ ...FHIR_SETTING, privateKeySecretName: 'fhir-client' }, /redrawTracker\.fhir\.privateKeySecretName: must not end with a hyphen and six characters/],
    [{ baseUrl: 'https://fhir.example.org/r4', catchUpPerSweep: 0 }, /redrawTracker\.fhir\.catchUpPerSweep/],
    // The functions take at most 1,000 (functions/fhir/client/settings.ts): a higher one would stop the sweep at start.
    [{ baseUrl: 'https://fhir.example.org/r4', catchUpPerSweep: 1001 }, /redrawTracker\.fhir\.catchUpPerSweep/],
    [{ baseUrl: 'https://fhir.example.org/r4', scope: 'system/Task.rs  system/Task.cu' }, /redrawTracker\.fhir\.scope: must be scopes separated by single spaces/],
    [{ baseUrl: 'https://fhir.example.org/r4', clientSecret: 'hunter2' }, /redrawTracker\.fhir: Unrecognized key: "clientSecret"/],
    [{ baseUrl: 'https://fhir.example.org/r4', ehrActions: true }, /redrawTracker\.fhir\.ehrActions: must be "on" or "off"/],
    [{ baseUrl: 'https://fhir.example.org/r4', ehrActions: 'yes' }, /redrawTracker\.fhir\.ehrActions: must be "on" or "off"/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 30 }, /redrawTracker\.fhir\.pollSeconds: must be at least 60 \(the writer's schedule runs at most once a minute on AWS\)/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 0 }, /redrawTracker\.fhir\.pollSeconds: must be at least 60/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 300.5 }, /redrawTracker\.fhir\.pollSeconds: must be a whole number of seconds/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 90 }, /redrawTracker\.fhir\.pollSeconds: must be a whole number of minutes, in seconds \(60, 120, 300, \.\.\.\)/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 86_460 }, /redrawTracker\.fhir\.pollSeconds: must be at most 86400/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: '300' }, /redrawTracker\.fhir\.pollSeconds/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollMax: 0 }, /redrawTracker\.fhir\.pollMax: must be from 1 to 100000/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollMax: 100_001 }, /redrawTracker\.fhir\.pollMax: must be from 1 to 100000/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollMax: 2.5 }, /redrawTracker\.fhir\.pollMax: must be a whole number/],
    [{ ...FHIR_SETTING, notifySecretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }, /redrawTracker\.fhir\.notifySecretName: must be a Secrets Manager secret's name/],
    [{ ...FHIR_SETTING, notifySecretName: 'fhir-notify' }, /redrawTracker\.fhir\.notifySecretName: must not end with a hyphen and six characters/],
    [{ baseUrl: 'https://fhir.example.org/r4', notifyRateLimit: 5 }, /redrawTracker\.fhir\.notifySecretName: is required with notifyRateLimit or notifyBurstLimit/],
    [{ ...FHIR_SETTING, notifyRateLimit: 0 }, /redrawTracker\.fhir\.notifyRateLimit/],
    [{ ...FHIR_SETTING, notifyBurstLimit: 1.5 }, /redrawTracker\.fhir\.notifyBurstLimit/],
  ])('refuses %j naming the setting', (fhir, message) => {
    expect(() => parseFhir(fhir)).toThrow(message);
  });
});
