/**
 * A deploy rehearsal: no AWS account is reachable, so this proves the next best
 * thing, that what CloudFormation would deploy works with the settings and
 * permissions the template gives it. The stack is synthesized (bundling for
 * real); each function's bundle is taken from the cloud assembly and run in a
 * fresh Node process with exactly the template's environment (references
 * resolved to local stand-ins) and the variables Lambda sets; it gets
 * Lambda-shaped invocations. Every AWS request goes through a proxy that checks
 * it against that function's IAM policy in the template (test/support/rehearsal)
 * and answers AccessDeniedException when IAM would. DynamoDB is DynamoDB Local
 * (the table created from the template's own definition), Junction is its
 * stand-in. Removing one grant from the template makes the rehearsal fail.
 *
 * One file runs the whole rehearsal, in its parts' order (./deploy-rehearsal/): the
 * stage (test/support/rehearsal/stage.ts) bundles every function once, and the
 * parts tell one story on one table (the FHIR writer works the follow-ups the
 * transaction function opened).
 *
 * Why it takes its time (issue 87): the stack is synthesized with bundling
 * (both stacks, every function built with esbuild), and each bundle then runs
 * in a fresh Node process with the template's environment, each AWS request
 * checked against the template's IAM policy. Only the bundles CloudFormation
 * would deploy, run, show a grant missing from the template, an environment
 * variable it does not set, or a module the bundle left out; the infra tests
 * read the template (and measure the bundles) but run none of them. The
 * bundling is paid once for the file (the stage).
 */
import { describe } from 'vitest';
import { rehearsalStage } from '../support/rehearsal/stage';
import { rehearseBooking } from './deploy-rehearsal/booking';
import { rehearseConsoleRoutes } from './deploy-rehearsal/console-routes';
import { rehearseFhirBundles } from './deploy-rehearsal/fhir-bundles';
import { rehearseFhirGrants } from './deploy-rehearsal/fhir-grants';
import { rehearseFunctions } from './deploy-rehearsal/functions';
import { rehearseMissingGrants } from './deploy-rehearsal/missing-grants';

const stage = rehearsalStage();

describe('the synthesized stack, rehearsed: each bundle with its template environment and IAM policy', () => rehearseFunctions(stage));

describe('FHIR Tasks on (CONTRACT §13): the stack with the fhir setting, rehearsed the same way', () => {
  rehearseFhirBundles(stage);
  rehearseFhirGrants(stage);
});

describe("the console's JWT routes (CONTRACT §12), rehearsed through the same bundles", () => rehearseConsoleRoutes(stage));

describe('the booking (CONTRACT §14): the query and actions bundles with a Junction key, rehearsed the same way', () => rehearseBooking(stage));

describe('the rehearsal itself', () => rehearseMissingGrants(stage));
