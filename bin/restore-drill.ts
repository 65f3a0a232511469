#!/usr/bin/env node
import { restoreDrill } from '../lib/operations/restore-drill-run';

// The exit code is set, not forced: pending output is flushed and the drill's clean-up has finished.
void restoreDrill(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
