#!/usr/bin/env node
// Entry point of the `vj` command: loads the TypeScript sources through
// tsx's CommonJS hook, so the command runs without a build step.
'use strict';
require('tsx/cjs');

// A reader that stops early (`vj tail audio. | head -n 5`) closes the pipe;
// that ends the output, it is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
require('../src/cli/main.ts')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`vj: ${error?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
