#!/usr/bin/env node
/**
 * `npx redraw-tracker` from a clone: the root package.json lists this folder as
 * a dependency (file:bin/npx), so `npm ci` links this file into
 * node_modules/.bin, where npx runs it at once. A bin of the root package
 * itself made npx read the whole installed tree first (npm's libnpmexec runs a
 * project's own bin as a package to install): about 1.6 s of CPU and a second
 * of waiting on every command. The command is ../redraw-tracker.mjs.
 */
import '../redraw-tracker.mjs';
