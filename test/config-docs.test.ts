import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { environmentShape } from '../config';
import { CONFIGURATION_DOC, renderReferenceText } from '../scripts/config-docs';

/** Every field's path in the JSON Schema zod emits, as the reference writes it (`a.b`, `a[].b`). */
function fieldPaths(schema: any, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries<any>(schema.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.push(path, ...fieldPaths(child, path));
    if (child.type === 'array' && child.items?.properties) {
      out.push(...fieldPaths(child.items, `${path}[]`));
    }
    for (const variant of child.oneOf ?? child.anyOf ?? []) {
      out.push(...fieldPaths(variant, path));
    }
  }
  return [...new Set(out)];
}

describe('docs/configuration.md', () => {
  const doc = renderReferenceText();

  test('is what `npm run docs:config` writes from the schema (run it after changing config/)', () => {
    // In a child process: the script formats with Prettier, which Jest's module system cannot load.
    const root = path.join(__dirname, '..');
    const run = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/config-docs.ts', '--print'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(fs.readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(run.stdout);
  });

  test('documents every field of the schema, each with a description', () => {
    const schema = z.toJSONSchema(environmentShape, { io: 'input', unrepresentable: 'any' });
    const sections = Object.entries<any>(schema.properties ?? {})
      .filter(([, child]) => child.properties !== undefined)
      .map(([key]) => key);
    // A section is a heading with its description; a field a table row with a description.
    const row = (path: string) =>
      new RegExp(`^\\| \`${path.replaceAll(/[.[\]]/g, '\\$&')}\` *\\|.*\\| *[^|\\s][^|]*\\|$`, 'm');
    const heading = (key: string) => new RegExp(`^### \`${key}\`.*\\n\\n\\S`, 'm');
    expect(sections.filter((key) => !heading(key).test(doc))).toEqual([]);
    expect(fieldPaths(schema).filter((path) => !sections.includes(path) && !row(path).test(doc))).toEqual([]);
  });

  test('has the section on adding an environment', () => {
    expect(doc).toMatch(/## Adding an environment\n\n.*config\/index\.ts/);
  });
});
