/**
 * The stand-in FHIR server's public discovery documents (local/fhir-standin.ts; no
 * token needed): the CapabilityStatement at [base]/metadata and SMART's
 * configuration at [base]/.well-known/smart-configuration, both naming the token
 * endpoint, and what it serves: Task (search, read, create, update, delete),
 * Practitioner, PractitionerRole and Provenance (read, search), and Subscription
 * (create, read, search).
 */
import type { CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { DEFAULT_SCOPE } from './token';
import { FHIR_BASE_PATH, TOKEN_PATH } from './types';

/** A resource the EHR user keeps, read and searched by the tracker. */
const readable = (type: CapabilityStatementRestResource['type'], searchParam: CapabilityStatementRestResource['searchParam']): CapabilityStatementRestResource => ({
  type,
  interaction: [{ code: 'read' }, { code: 'search-type' }],
  searchParam,
});

/** The discovery document at `pathname` on the stand-in at `origin`, or null when `pathname` is none. */
export function discoveryDocument(pathname: string, origin: string): Record<string, unknown> | null {
  const tokenUrl = `${origin}${TOKEN_PATH}`;
  if (pathname === `${FHIR_BASE_PATH}/.well-known/smart-configuration`) {
    return {
      token_endpoint: tokenUrl,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      scopes_supported: DEFAULT_SCOPE.split(' '),
      capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric'],
    };
  }
  if (pathname !== `${FHIR_BASE_PATH}/metadata`) return null;
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-27',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    implementation: { description: 'redraw-tracker stand-in FHIR server', url: `${origin}${FHIR_BASE_PATH}` },
    rest: [
      {
        mode: 'server',
        security: {
          extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: tokenUrl }] }],
        },
        resource: [
          {
            type: 'Task',
            versioning: 'versioned-update',
            conditionalCreate: true,
            conditionalUpdate: false,
            interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }, { code: 'update' }, { code: 'delete' }],
            searchParam: [{ name: 'identifier', type: 'token' }],
          },
          readable('Practitioner', [{ name: 'identifier', type: 'token' }]),
          readable('PractitionerRole', [{ name: 'identifier', type: 'token' }]),
          readable('Provenance', [{ name: 'target', type: 'reference' }]),
          // Honoured as Medplum's and HAPI's servers honour one (local/fhir-standin/subscriptions.ts).
          { type: 'Subscription', interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }] },
        ],
      },
    ],
  };
}
