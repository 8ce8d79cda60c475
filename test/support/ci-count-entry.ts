/** Prints `.ci/run`'s count line for the vitest JSON report named by its argument; exits 1 when the run is red. */
import { ciCountOfFile } from './ci-count';

const count = ciCountOfFile(process.argv[2] ?? '');
console.log(count.line);
process.exitCode = count.ok ? 0 : 1;
