/**
 * A setup file of the infra layer (vitest.config.mts): after each test file,
 * its CDK apps' assembly folders go (./test-assemblies.ts).
 */
import { afterAll } from 'vitest';
import { removeTestAssemblies } from './test-assemblies';

afterAll(removeTestAssemblies);
