import * as rds from 'aws-cdk-lib/aws-rds';
import type { DiffReport, StackReport } from '../../lib/diff/model';
import { MARKDOWN_MARKER } from '../../lib/diff/render';
import { removeTemporary, reportOf, runDiff, temporary, withoutStacks } from './helpers';
import { synthProjectApp, type ProjectAppVariant } from './project-app';

/**
 * The offline diff on pairs of cloud assemblies the project's own constructs synthesize
 * (`Network`, `PostgresDatabase`, `SecureBucket` in `EnvironmentStack`s, weak references on).
 */

const assemblies: Record<string, string> = {};
const VARIANTS: Record<string, ProjectAppVariant> = {
  base: {},
  engine: { engineVersion: rds.PostgresEngineVersion.VER_17_6 },
  renamed: { uploadsId: 'Files' },
  widened: { databaseOpenToAnyone: true },
  tags: { costCenter: 'learning-assistant-platform' },
  removedBucket: { uploads: false },
  subnets: { databaseSubnetOctet: 80 },
};

beforeAll(() => {
  for (const [name, variant] of Object.entries(VARIANTS)) assemblies[name] = synthProjectApp(temporary(name), variant);
});
afterAll(removeTemporary);

async function diff(head: string, ...extra: string[]) {
  const result = await runDiff(['--base', assemblies.base, '--head', head, '--json', ...extra]);
  return { code: result.code, report: reportOf(result), stderr: result.stderr };
}

function stack(report: DiffReport, displayName: string): StackReport {
  const found = report.stacks.find((s) => s.displayName === displayName);
  if (found === undefined) throw new Error(`no stack ${displayName} in ${report.stacks.map((s) => s.displayName)}`);
  return found;
}

/** `<kind> <type> <logical ID prefix>` of each finding: construct hashes left out. */
function findings(report: DiffReport) {
  return report.stateful.map((f) => ({
    kind: f.kind,
    type: f.type,
    id: f.logicalId.replace(/[0-9A-F]{8}$/, ''),
    newId: f.newLogicalId?.replace(/[0-9A-F]{8}$/, ''),
    allowedBy: f.allowedBy,
  }));
}

test('the same assembly on both sides: every stack unchanged, exit 0', async () => {
  const { code, report } = await diff(assemblies.base);
  expect(code).toBe(0);
  expect(report.stacks.map((s) => [s.displayName, s.stackName, s.environment, s.status])).toEqual([
    ['Prod/Network', 'Prod-Network', 'aws://123456789012/eu-west-1', 'unchanged'],
    ['Prod/Data', 'Prod-Data', 'aws://123456789012/eu-west-1', 'unchanged'],
  ]);
  expect(report.stateful).toEqual([]);
});

describe('engine major version 16 -> 17', () => {
  test('replaces the parameter group (Family), which may replace primary and replica: blocked', async () => {
    const { code, report } = await diff(assemblies.engine);
    expect(code).toBe(1);
    const data = stack(report, 'Prod/Data');
    // EngineVersion alone updates in place; the new family replaces the parameter group, and
    // DBParameterGroupName is a conditional-replacement property that refers to it.
    expect(
      data.resources.filter((r) => r.kind === 'replaced').map((r) => [r.type, r.impact, r.replacingProperties]),
    ).toEqual(
      expect.arrayContaining([
        ['AWS::RDS::DBParameterGroup', 'WILL_REPLACE', ['Family']],
        ['AWS::RDS::DBInstance', 'MAY_REPLACE', ['DBParameterGroupName (may)']],
        ['AWS::RDS::DBInstance', 'MAY_REPLACE', ['DBParameterGroupName (may)']],
      ]),
    );
    expect(data.counts).toEqual({ added: 0, updated: 0, replaced: 3, removed: 0 });
    expect(findings(report)).toEqual([
      { kind: 'may-be-replaced', type: 'AWS::RDS::DBInstance', id: 'Database', newId: undefined, allowedBy: undefined },
      {
        kind: 'may-be-replaced',
        type: 'AWS::RDS::DBInstance',
        id: 'DatabaseReplicasReplica1',
        newId: undefined,
        allowedBy: undefined,
      },
    ]);
    expect(report.stateful[0].detail).toMatch(
      /^DBParameterGroupName may require replacement \(it refers to DatabaseParameters[0-9A-F]{8}, which is replaced\): the old one is deleted after a final snapshot/,
    );
    expect(data.blocking).toBe(2);
    expect(stack(report, 'Prod/Network').status).toBe('unchanged');
  });

  test('allowed by logical ID, plain and stack-qualified (display name or stack name): exit 0', async () => {
    const blocked = await diff(assemblies.engine);
    const [primary, replica] = blocked.report.stateful.map((f) => f.logicalId);
    const { code, report } = await diff(
      assemblies.engine,
      '--allow',
      `Prod/Data/${primary}`,
      '--allow',
      `Prod-Data/${replica}`,
    );
    expect(code).toBe(0);
    expect(report.blocking).toBe(0);
    expect(report.stateful.map((f) => f.allowedBy)).toEqual([`Prod/Data/${primary}`, `Prod-Data/${replica}`]);
    expect(report.staleAllows).toEqual([]);
    // Qualified with the wrong stack, the allow matches nothing.
    const wrongStack = await diff(assemblies.engine, '--allow', `Prod/Network/${primary}`);
    expect(wrongStack.code).toBe(1);
    expect(wrongStack.report.staleAllows).toEqual([`Prod/Network/${primary}`]);
  });
});

describe('renamed construct of a stateful resource', () => {
  test('a bucket under a new ID is a changed logical ID: paired as a rename, blocked', async () => {
    const { code, report } = await diff(assemblies.renamed);
    expect(code).toBe(1);
    expect(findings(report)).toEqual([
      { kind: 'renamed', type: 'AWS::S3::Bucket', id: 'Uploads', newId: 'Files', allowedBy: undefined },
    ]);
    const finding = report.stateful[0];
    expect(finding.path).toBe('Prod/Data/Uploads/Resource');
    expect(finding.newPath).toBe('Prod/Data/Files/Resource');
    expect(finding.detail).toMatch(/identical properties: a renamed or moved construct/);
    expect(finding.detail).toMatch(/orphans \(retains outside the stack\) Uploads/);
    // The bucket policies are removed and added too, but hold no data.
    expect(stack(report, 'Prod/Data').counts).toEqual({ added: 2, updated: 0, replaced: 0, removed: 2 });
  });

  test('allowed by its old or its new logical ID; an allow that matches nothing is reported stale', async () => {
    const blocked = await diff(assemblies.renamed);
    const { logicalId, newLogicalId } = blocked.report.stateful[0];
    for (const allow of [logicalId, newLogicalId as string, `Prod/Data/${newLogicalId}`]) {
      const { code, report } = await diff(assemblies.renamed, '--allow', allow, '--allow', 'Stale1234');
      expect(code).toBe(0);
      expect(report.stateful[0].allowedBy).toBe(allow);
      expect(report.staleAllows).toEqual(['Stale1234']);
    }
  });
});

test('a widened security group (application -> any IPv4) is listed as broadening, not blocking', async () => {
  const { code, report } = await diff(assemblies.widened);
  expect(code).toBe(0);
  expect(report.stateful).toEqual([]);
  const data = stack(report, 'Prod/Data');
  expect(
    data.broadening.map((b) => [b.kind, b.description.replace(/[0-9A-F]{8}\.GroupId/, '.GroupId'), b.public]),
  ).toEqual([
    ['security-group', 'ingress to ${DatabaseSecurityGroupsProxy.GroupId}: TCP 5432 from Everyone (IPv4)', true],
    ['security-group', 'ingress to ${DatabaseSecurityGroupsReplicas.GroupId}: TCP 5432 from Everyone (IPv4)', true],
  ]);
  // The "no traffic" placeholder CDK adds to the application group once its last egress rule goes
  // opens nothing, and is not reported.
  expect(JSON.stringify(data.broadening)).not.toContain('255.255.255.255');
  expect(data.fullDiff).toContain('255.255.255.255/32');
});

test('a pure tag change updates resources in place and passes', async () => {
  const { code, report } = await diff(assemblies.tags);
  expect(code).toBe(0);
  expect(report.stateful).toEqual([]);
  for (const s of report.stacks) {
    expect(s.counts.added + s.counts.replaced + s.counts.removed).toBe(0);
    expect(s.broadening).toEqual([]);
  }
  expect(stack(report, 'Prod/Data').counts.updated).toBeGreaterThan(10);
  // The VPC's tags are inputs of the outputs the Data stack reads: its markers change, values do not.
  expect(new Set(report.outputs.map((o) => o.change))).toEqual(new Set(['inputs-changed']));
});

test('a removed bucket (DeletionPolicy Retain) is orphaned: blocked until allowed', async () => {
  const { code, report } = await diff(assemblies.removedBucket);
  expect(code).toBe(1);
  expect(findings(report)).toEqual([
    { kind: 'orphaned', type: 'AWS::S3::Bucket', id: 'Uploads', newId: undefined, allowedBy: undefined },
  ]);
  expect(report.stateful[0].detail).toMatch(/DeletionPolicy Retain/);
  const allowed = await diff(assemblies.removedBucket, '--allow', report.stateful[0].logicalId);
  expect(allowed.code).toBe(0);
});

test('a replaced producer resource: the changed output is reported with its consumer and the resources reading it', async () => {
  const { code, report } = await diff(assemblies.subnets);
  expect(stack(report, 'Prod/Network').counts.replaced).toBeGreaterThanOrEqual(3);
  // The Data stack's template changes only in its WeakReferenceInputs markers.
  expect(stack(report, 'Prod/Data').counts).toEqual({ added: 0, updated: 0, replaced: 0, removed: 0 });
  const changed = report.outputs.filter((o) => o.change === 'changed');
  expect(changed.map((o) => [o.producer, o.producerKey, o.outputName.replace(/[0-9A-F]{16}$/, '')])).toEqual([
    ['Prod/Network', 'eu-west-1/Prod-Network', 'PublishOutputRefNetworkDatabaseSubnet1Subnet'],
    ['Prod/Network', 'eu-west-1/Prod-Network', 'PublishOutputRefNetworkDatabaseSubnet2Subnet'],
    ['Prod/Network', 'eu-west-1/Prod-Network', 'PublishOutputRefNetworkDatabaseSubnet3Subnet'],
  ]);
  for (const o of changed) {
    expect(o.detail).toMatch(/^its value changes: NetworkDatabaseSubnet\dSubnet[0-9A-F]{8} is replaced$/);
    expect(o.consumers.map((c) => [c.stack, c.side, c.dangling])).toEqual([['Prod/Data', 'both', false]]);
    const impacts = Object.fromEntries(
      o.consumers[0].resources.map((r) => [`${r.type} ${r.logicalId.replace(/[0-9A-F]{8}$/, '')}`, r.impact]),
    );
    expect(impacts).toMatchObject({
      'AWS::RDS::DBSubnetGroup DatabaseSubnetGroup': 'WILL_UPDATE',
      'AWS::RDS::DBProxy DatabaseProxy': 'WILL_REPLACE',
    });
  }
  // The VPC itself is untouched: its output is not reported.
  expect(report.outputs.map((o) => o.outputName)).not.toContainEqual(
    expect.stringMatching(/^PublishOutputRefNetwork[0-9A-F]{16}$/),
  );
  // The proxy's VpcSubnetIds read the new subnet IDs when Prod/Data is deployed: it is replaced then,
  // though no template diff of Prod/Data shows it. Once, for all three outputs.
  expect(code).toBe(1);
  expect(findings(report)).toEqual([
    { kind: 'replaced', type: 'AWS::RDS::DBProxy', id: 'DatabaseProxy', newId: undefined, allowedBy: undefined },
  ]);
  expect(report.stateful[0].detail).toMatch(
    /^VpcSubnetIds requires replacement when Prod\/Data is deployed, which its own template diff cannot show: it reads Prod\/Network output\(s\) through Fn::GetStackOutput whose value changes: PublishOutputRefNetworkDatabaseSubnet1Subnet/,
  );
  expect(stack(report, 'Prod/Data').blocking).toBe(1);
  const allowed = await diff(assemblies.subnets, '--allow', `Prod/Data/${report.stateful[0].logicalId}`);
  expect(allowed.code).toBe(0);

  const text = await runDiff(['--base', assemblies.base, '--head', assemblies.subnets]);
  expect(text.stdout).toMatch(
    /> Prod\/Network output PublishOutputRefNetworkDatabaseSubnet1Subnet\w+ changed \(its value changes: .*\); read by Prod\/Data \[.*DatabaseProxy[0-9A-F]{8} \(REPLACED\).*\]\n/,
  );
});

test('a removed stack: its stateful resources block, the outputs it produced dangle for their consumer', async () => {
  const { code, report } = await diff(withoutStacks(assemblies.base, ['Prod/Network']));
  expect(code).toBe(1);
  expect(stack(report, 'Prod/Network').status).toBe('removed');
  expect(report.stateful.every((f) => f.stackRemoved && f.kind === 'orphaned')).toBe(true);
  expect(report.stateful.map((f) => f.type).sort()).toEqual([
    'AWS::KMS::Key',
    'AWS::Logs::LogGroup',
    'AWS::Logs::LogGroup',
  ]);
  expect(report.outputs.length).toBeGreaterThan(0);
  for (const o of report.outputs) {
    expect(o.change).toBe('removed');
    expect(o.consumers.map((c) => [c.stack, c.side, c.dangling])).toEqual([['Prod/Data', 'both', true]]);
    // Without a new value there is no impact to assess: the consumer cannot deploy at all.
    expect(o.consumers[0].resources.length).toBeGreaterThan(0);
    expect(o.consumers[0].resources.every((r) => r.impact === undefined)).toBe(true);
  }
});

test('an added stack: every resource added, nothing blocks', async () => {
  const result = await runDiff([
    '--base',
    withoutStacks(assemblies.base, ['Prod/Network']),
    '--head',
    assemblies.base,
    '--json',
  ]);
  expect(result.code).toBe(0);
  const network = stack(reportOf(result), 'Prod/Network');
  expect(network.status).toBe('added');
  expect(network.counts.added).toBeGreaterThan(50);
  expect(network.counts.removed + network.counts.replaced + network.counts.updated).toBe(0);
});

test('markdown: one comment with the marker, a summary table, the findings and a collapsed diff per stack', async () => {
  const result = await runDiff(['--base', assemblies.base, '--head', assemblies.renamed, '--format', 'markdown']);
  expect(result.code).toBe(1);
  const lines = result.stdout.split('\n');
  expect(lines[0]).toBe(MARKDOWN_MARKER);
  expect(lines[1]).toBe('## :x: Infrastructure diff: 1 blocking stateful change(s)');
  expect(result.stdout).toContain('| Stack | Added | Updated | Replaced | Removed | Broadens access | Blocked |');
  expect(result.stdout).toContain('| `Prod/Data` | 2 | 0 | 0 | 2 | :warning: 2 | :x: 1 |');
  expect(result.stdout).toContain('Unchanged: `Prod/Network`.');
  expect(result.stdout).toMatch(/\| `--allow Prod\/Data\/Uploads[0-9A-F]{8}` \|/);
  expect(result.stdout).toMatch(
    /<details><summary><code>Prod\/Data<\/code>: 2 added, 0 updated, 0 replaced, 2 removed<\/summary>\n\n```text\n/,
  );
  expect(result.stdout).toContain('[-] AWS::S3::Bucket Uploads');
  expect(result.stdout.trimEnd().endsWith('</details>')).toBe(true);
});

test('text: one summary line per stack, then the verdict', async () => {
  const result = await runDiff(['--base', assemblies.base, '--head', assemblies.removedBucket]);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('  Prod/Network (Prod-Network, aws://123456789012/eu-west-1): no changes\n');
  expect(result.stdout).toContain(
    '  Prod/Data (Prod-Data, aws://123456789012/eu-west-1): 0 added, 0 updated, 0 replaced, 2 removed; broadens access (2); BLOCKED (1)\n',
  );
  expect(result.stdout).toMatch(/\nBLOCKED: 1 stateful change\(s\) not allowed \(exit 1\)/);
  expect(result.stdout).toContain('=== Prod/Data (Prod-Data): 0 added, 0 updated, 0 replaced, 2 removed');
  // Progress goes to stderr, never into the report.
  expect(result.stderr).toContain('Comparing 2 base and 2 head stacks');
  expect(result.stdout).not.toContain('Comparing');
});
