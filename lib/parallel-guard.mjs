// Runs the cfn-guard validator over groups of templates in parallel, one Node process per group, and
// prints one merged report as JSON. A validation plugin's `validate` is synchronous, so the plugin
// (lib/compliance.ts) waits for this script with spawnSync; the parallelism lives here.
//
// Usage: node parallel-guard.mjs '<json: string[][]>'     (groups of template paths)
//        node parallel-guard.mjs --group '<json: string[]>' (one group; used by the line above)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

if (process.argv[2] === '--group') {
  const { CfnGuardValidator } = require('@cdklabs/cdk-validator-cfnguard');
  const report = new CfnGuardValidator().validate({ templatePaths: JSON.parse(process.argv[3]) });
  process.stdout.write(JSON.stringify(report));
} else {
  const groups = JSON.parse(process.argv[2]);
  const self = fileURLToPath(import.meta.url);
  const children = new Set();
  // Stopped (the plugin's timeout) or failed: leave no cfn-guard running behind. Each group leads
  // its own process group, so the cfn-guard binary it runs goes with it.
  const stopAll = () =>
    children.forEach((child) => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    });
  process.on('SIGTERM', () => {
    stopAll();
    process.exit(1);
  });
  const runGroup = (group) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [self, '--group', JSON.stringify(group)], {
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      });
      children.add(child);
      const chunks = [];
      child.stdout.on('data', (chunk) => chunks.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        children.delete(child);
        if (code !== 0) {
          reject(new Error(`cfn-guard group exited with ${code}`));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(new Error(`cfn-guard group answered no report: ${error.message}`));
        }
      });
    });
  try {
    const reports = await Promise.all(groups.map(runGroup));
    process.stdout.write(
      JSON.stringify({ success: reports.every((r) => r.success), violations: reports.flatMap((r) => r.violations) }),
    );
  } catch (error) {
    stopAll();
    console.error(error.message);
    process.exit(1);
  }
}
