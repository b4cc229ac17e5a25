#!/usr/bin/env node
import { main } from './main';

// A reader that stops early (`| head -1`) closes the pipe: the rest of the report has nowhere to go, which is no
// error of ours. Every later write fails too, so nothing is reported once the reader is gone.
let readerGone = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || readerGone) {
    readerGone = true;
    return;
  }
  throw error;
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() }).then(
  (code) => {
    // exitCode rather than exit(): a report piped to a slow reader must be written out in full first.
    process.exitCode = code;
  },
  (error: unknown) => {
    // Bad usage and bad input never get here; anything that does is a bug, so its stack helps the report.
    process.stderr.write(`stability-blueprints: internal error, please report it: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
