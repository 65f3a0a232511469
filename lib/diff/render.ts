import type { Broadening, DiffReport, OutputChange, StackReport, StatefulFinding } from './model';

/** First line of the Markdown report: the workflow finds its earlier comment by it and updates that one. */
export const MARKDOWN_MARKER = '<!-- learning-assistant-diff -->';

/**
 * GitHub rejects a comment over 65,536 characters; the full per-stack diffs are cut to keep the
 * whole comment under this, the summary and findings never are.
 */
export const MARKDOWN_MAX_CHARS = 60_000;

/** `2 added, 1 updated, 0 replaced, 1 removed`, or what a stack without resource changes has. */
export function summaryOf(stack: StackReport): string {
  if (stack.status === 'unchanged') return 'no changes';
  const { added, updated, replaced, removed } = stack.counts;
  const parts = [`${added} added`, `${updated} updated`, `${replaced} replaced`, `${removed} removed`];
  if (stack.otherChanges > 0) parts.push(`${stack.otherChanges} other`);
  const prefix = stack.status === 'added' ? 'new stack: ' : stack.status === 'removed' ? 'stack removed: ' : '';
  return prefix + parts.join(', ');
}

/** One line per stack: `Prod/Data (Prod-Data, aws://…): 1 added, …; broadens access (2); BLOCKED (1)`. */
export function stackLine(stack: StackReport): string {
  const notes = [summaryOf(stack)];
  if (stack.broadening.length > 0) notes.push(`broadens access (${stack.broadening.length})`);
  if (stack.blocking > 0) notes.push(`BLOCKED (${stack.blocking})`);
  return `${stack.displayName} (${stack.stackName}, ${stack.environment}): ${notes.join('; ')}`;
}

/** The `--allow` value that accepts a finding: qualified by its stack, so it cannot match elsewhere. */
export function allowValueOf(finding: StatefulFinding): string {
  return `${finding.stack}/${finding.logicalId}`;
}

function findingLine(finding: StatefulFinding): string {
  const where = finding.path === undefined ? finding.type : `${finding.type}, ${finding.path}`;
  const to =
    finding.kind === 'moved'
      ? ` -> ${finding.newStack}/${finding.newLogicalId}`
      : finding.newLogicalId === undefined
        ? ''
        : ` -> ${finding.newLogicalId}`;
  const gone = finding.stackRemoved ? ' (its stack is gone from head)' : '';
  return `${finding.stack} ${finding.logicalId} (${where}) ${finding.kind}${to}${gone}: ${finding.detail}`;
}

function verdictOf(report: DiffReport): string {
  if (report.blocking > 0) {
    return (
      `BLOCKED: ${report.blocking} stateful change(s) not allowed (exit ${report.exitCode}). Review each; ` +
      'if intended, pass --allow <Stack>/<LogicalId> for it.'
    );
  }
  const allowed = report.stateful.length;
  return `OK: no blocking change${allowed > 0 ? ` (${allowed} stateful change(s) allowed)` : ''} (exit ${report.exitCode})`;
}

function readersOf(change: OutputChange, markdown: boolean): string {
  return change.consumers
    .map((c) => {
      const name = markdown ? code(c.stack) : c.stack;
      const side = c.side === 'both' ? '' : ` (${c.side} only)`;
      const resources = c.resources
        .map(
          (r) =>
            `${markdown ? code(r.logicalId) : r.logicalId}${r.impact === undefined ? '' : ` ${impactWord(r.impact)}`}`,
        )
        .join(', ');
      const dangling = c.dangling
        ? markdown
          ? ' **dangling: its next deploy fails**'
          : ' DANGLING: its next deploy fails'
        : '';
      return `${name}${side}${resources === '' ? '' : ` [${resources}]`}${dangling}`;
    })
    .join(', ');
}

/** `ResourceImpact` as `cdk diff` words it. */
function impactWord(impact: string): string {
  const words: Record<string, string> = {
    WILL_UPDATE: 'updated',
    WILL_REPLACE: 'REPLACED',
    MAY_REPLACE: 'MAY BE REPLACED',
    NO_CHANGE: 'unchanged',
  };
  return `(${words[impact] ?? impact})`;
}

/**
 * Outputs whose inputs changed but whose values most likely did not, one line per producer: a tag on a
 * VPC touches every output that refers to it, and listing each would bury the outputs that do change.
 */
function groupedInputChanges(outputs: readonly OutputChange[], markdown: boolean): string[] {
  const byProducer = new Map<string, OutputChange[]>();
  for (const o of outputs.filter((change) => change.change === 'inputs-changed')) {
    byProducer.set(o.producer, [...(byProducer.get(o.producer) ?? []), o]);
  }
  return [...byProducer].map(([producer, changes]) => {
    const consumers = [...new Set(changes.flatMap((c) => c.consumers.map((consumer) => consumer.stack)))];
    const name = (text: string) => (markdown ? code(text) : text);
    return (
      `${name(producer)}: ${changes.length} output(s) whose inputs changed (values most likely the same), ` +
      `read by ${consumers.map(name).join(', ')}: they are redeployed with new markers`
    );
  });
}

function broadeningLine(item: Broadening): string {
  return `${item.stack} [${item.kind}] ${item.description}${item.public ? '  (OPEN TO EVERYONE)' : ''}`;
}

/**
 * The plain-text report: a line per stack, the findings, the verdict, then (unless `summaryOnly`)
 * cloudformation-diff's full diff of every changed stack.
 */
export function renderText(report: DiffReport, options: { summaryOnly?: boolean } = {}): string {
  const lines: string[] = [`Offline diff: base ${report.base} -> head ${report.head}`, ''];
  lines.push('Stacks:');
  for (const stack of report.stacks) lines.push(`  ${stackLine(stack)}`);

  const blocking = report.stateful.filter((f) => f.allowedBy === undefined);
  const allowed = report.stateful.filter((f) => f.allowedBy !== undefined);
  if (blocking.length > 0) {
    lines.push('', 'Blocking: stateful resources replaced, removed, renamed or moved:');
    for (const finding of blocking) {
      lines.push(`  x ${findingLine(finding)}`, `      to accept: --allow ${allowValueOf(finding)}`);
    }
  }
  if (allowed.length > 0) {
    lines.push('', 'Allowed stateful changes:');
    for (const finding of allowed) lines.push(`  ~ ${findingLine(finding)} [--allow ${finding.allowedBy}]`);
  }
  if (report.staleAllows.length > 0) {
    lines.push('', `Warning: --allow matched nothing (stale, remove it): ${report.staleAllows.join(', ')}`);
  }
  const broadening = report.stacks.flatMap((stack) => stack.broadening);
  if (broadening.length > 0) {
    lines.push('', 'Access broadened (review; does not fail the run):');
    for (const item of broadening) lines.push(`  ! ${broadeningLine(item)}`);
  }
  if (report.outputs.length > 0) {
    lines.push('', 'Producer outputs read by weak references (deploy the consumers after the producer):');
    for (const change of report.outputs.filter((o) => o.change !== 'inputs-changed')) {
      lines.push(
        `  > ${change.producer} output ${change.outputName} ${change.change} (${change.detail}); ` +
          `read by ${readersOf(change, false)}`,
      );
    }
    for (const line of groupedInputChanges(report.outputs, false)) lines.push(`  > ${line}`);
  }
  lines.push('', verdictOf(report));

  if (!options.summaryOnly) {
    for (const stack of report.stacks.filter((s) => s.fullDiff !== '')) {
      lines.push('', `=== ${stack.displayName} (${stack.stackName}): ${summaryOf(stack)}`, stack.fullDiff);
    }
  }
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  const run = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(run + 1);
  return run === 0 ? `\`${text}\`` : `${fence} ${text} ${fence}`;
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fenced(text: string): string {
  const run = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, run + 1));
  return `${fence}text\n${text}\n${fence}`;
}

/**
 * The Markdown report, one pull-request comment: the marker line, the verdict, a summary table,
 * the findings, and per changed stack a collapsed `<details>` with the full diff (cut to stay under
 * {@link MARKDOWN_MAX_CHARS}).
 */
export function renderMarkdown(report: DiffReport): string {
  const out: string[] = [MARKDOWN_MARKER];
  out.push(
    report.blocking > 0
      ? `## :x: Infrastructure diff: ${report.blocking} blocking stateful change(s)`
      : '## :white_check_mark: Infrastructure diff: no blocking change',
    '',
    `Base ${code(report.base)} → head ${code(report.head)}.`,
    '',
  );

  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  const unchanged = report.stacks.filter((s) => s.status === 'unchanged');
  if (changed.length > 0) {
    out.push('| Stack | Added | Updated | Replaced | Removed | Broadens access | Blocked |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const s of changed) {
      const name = `${code(s.displayName)}${s.status === 'added' ? ' (new)' : s.status === 'removed' ? ' (removed)' : ''}`;
      const { added, updated, replaced, removed } = s.counts;
      const broadens = s.broadening.length > 0 ? `:warning: ${s.broadening.length}` : '0';
      const blocked = s.blocking > 0 ? `:x: ${s.blocking}` : '0';
      out.push(`| ${name} | ${added} | ${updated} | ${replaced} | ${removed} | ${broadens} | ${blocked} |`);
    }
    out.push('');
  }
  if (unchanged.length > 0) out.push(`Unchanged: ${unchanged.map((s) => code(s.displayName)).join(', ')}.`, '');

  const blocking = report.stateful.filter((f) => f.allowedBy === undefined);
  const allowed = report.stateful.filter((f) => f.allowedBy !== undefined);
  const findingRow = (f: StatefulFinding, last: string) => {
    const id = f.newLogicalId === undefined ? code(f.logicalId) : `${code(f.logicalId)} → ${code(f.newLogicalId)}`;
    return `| ${code(f.stack)} | ${id} | ${code(f.type)} | ${f.kind}${f.stackRemoved ? ' (stack removed)' : ''} | ${cell(f.detail)} | ${last} |`;
  };
  if (blocking.length > 0) {
    out.push('### :x: Blocking: stateful resources replaced, removed, renamed or moved', '');
    out.push('| Stack | Logical ID | Type | Change | Detail | To accept |', '|---|---|---|---|---|---|');
    for (const f of blocking) out.push(findingRow(f, code(`--allow ${allowValueOf(f)}`)));
    out.push('');
  }
  if (allowed.length > 0) {
    out.push('### Allowed stateful changes', '');
    out.push('| Stack | Logical ID | Type | Change | Detail | Allowed by |', '|---|---|---|---|---|---|');
    for (const f of allowed) out.push(findingRow(f, code(`--allow ${f.allowedBy}`)));
    out.push('');
  }
  if (report.staleAllows.length > 0) {
    out.push(
      `:warning: \`--allow\` that matched nothing (stale, remove it): ${report.staleAllows.map(code).join(', ')}`,
      '',
    );
  }
  const broadening = report.stacks.flatMap((s) => s.broadening);
  if (broadening.length > 0) {
    out.push('### :warning: Access broadened (review; does not fail the run)', '');
    for (const b of broadening) {
      out.push(
        `- ${code(b.stack)} ${b.kind === 'iam' ? 'IAM' : 'security group'}: ${cell(b.description)}` +
          (b.public ? ' — **open to everyone**' : ''),
      );
    }
    out.push('');
  }
  if (report.outputs.length > 0) {
    out.push('### Producer outputs read by weak references', '');
    out.push('Deploy the consumers after the producer: CloudFormation reads the new value only then.', '');
    const changes = report.outputs.filter((o) => o.change !== 'inputs-changed');
    if (changes.length > 0) {
      out.push('| Producer | Output | Change | Consumers |', '|---|---|---|---|');
      for (const o of changes) {
        out.push(
          `| ${code(o.producer)} | ${code(o.outputName)} | ${o.change}: ${cell(o.detail)} | ${readersOf(o, true)} |`,
        );
      }
      out.push('');
    }
    for (const line of groupedInputChanges(report.outputs, true)) out.push(`- ${line}`);
    out.push('');
  }

  const head = out.join('\n');
  const heading = '\n### Full diff per stack\n\n';
  // Room for the heading and for the note on diffs left out; each block is joined with a newline.
  const details: string[] = [];
  let budget = MARKDOWN_MAX_CHARS - head.length - heading.length - 120;
  for (const s of report.stacks.filter((stack) => stack.fullDiff !== '')) {
    const summary = `<details><summary><code>${html(s.displayName)}</code>: ${html(summaryOf(s))}</summary>\n\n`;
    const close = '\n\n</details>\n';
    const note = '\n\n_Diff cut to fit one comment: run `npm run diff` for all of it._';
    let body = fenced(s.fullDiff);
    if (summary.length + body.length + close.length > budget) {
      const room = budget - summary.length - close.length - note.length - 40;
      body = room > 200 ? `${fenced(s.fullDiff.slice(0, room).replace(/\n[^\n]*$/, ''))}${note}` : note.trim();
    }
    const block = summary + body + close;
    if (block.length + 1 > budget) break;
    details.push(block);
    budget -= block.length + 1;
  }
  const omitted = report.stacks.filter((s) => s.fullDiff !== '').length - details.length;
  if (omitted > 0) details.push(`_${omitted} more stack diff(s) left out to fit one comment: run \`npm run diff\`._\n`);
  return details.length > 0 ? `${head}${heading}${details.join('\n')}` : head;
}

/** The report as JSON, for tools. */
export function renderJson(report: DiffReport): string {
  return JSON.stringify(report, null, 2);
}
