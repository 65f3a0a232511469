#!/usr/bin/env node
import { diffCommand } from '../lib/diff/run';
import { EXIT_CODES } from '../lib/diff/model';

// The exit code is set, not forced: pending output is flushed and the temporary worktree is gone.
void diffCommand(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT_CODES.internal;
  },
);
