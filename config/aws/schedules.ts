/**
 * Schedule expressions as Application Auto Scaling parses them for scheduled actions:
 * `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` and `cron(minutes hours day-of-month month day-of-week year)`.
 *
 * Source: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
 * (`Schedule`) and https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
 * (fields, ranges, wildcards, and "you can't specify the Day-of-month and Day-of-week fields in the
 * same cron expression").
 */

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for `min`, `min + 1`, ... (JAN..DEC, SUN..SAT). */
  readonly names?: readonly string[];
  /** `?`, `L`, `W` and `#` are allowed only in some fields. */
  readonly question?: boolean;
  readonly last?: boolean;
  readonly weekday?: boolean;
  readonly nth?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true, last: true, weekday: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, question: true, last: true, nth: true },
  { name: 'year', min: 1970, max: 2199 },
];

const RATE_UNITS = ['minute', 'minutes', 'hour', 'hours', 'day', 'days'];

function valueOf(field: CronField, text: string): number | undefined {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) {
    return field.min + index;
  }
  if (!/^\d+$/.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}

function range(field: CronField): string {
  const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
  return `${field.min}-${field.max}${names}`;
}

/** Why one comma-separated item of a cron field is invalid, or undefined. */
function itemProblem(field: CronField, item: string): string | undefined {
  const bad = (why: string) => `${field.name} "${item}": ${why}`;
  const [base = '', step, ...extra] = item.split('/');
  if (extra.length > 0) {
    return bad('more than one "/"');
  }
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) {
    return bad(`the increment after "/" must be a whole number of at least 1`);
  }
  if (base === '*') {
    return undefined;
  }
  if (field.last && base === 'L' && step === undefined) {
    return undefined;
  }
  if (field.weekday && step === undefined && (base === 'LW' || /^\d+W$/.test(base))) {
    return base === 'LW' || valueOf(field, base.slice(0, -1)) !== undefined
      ? undefined
      : bad(`the day must be ${range(field)}`);
  }
  if (field.nth && step === undefined && base.includes('#')) {
    const [day = '', nth = ''] = base.split('#');
    if (valueOf(field, day) === undefined) {
      return bad(`the day must be ${range(field)}`);
    }
    return /^[1-5]$/.test(nth) ? undefined : bad('the week after "#" must be 1 to 5');
  }
  if (field.last && field.nth && step === undefined && /^[^L]+L$/.test(base)) {
    return valueOf(field, base.slice(0, -1)) === undefined ? bad(`the day must be ${range(field)}`) : undefined;
  }
  const [from = '', to, ...more] = base.split('-');
  if (more.length > 0) {
    return bad('more than one "-"');
  }
  const start = valueOf(field, from);
  const end = to === undefined ? start : valueOf(field, to);
  if (start === undefined || end === undefined) {
    return bad(`values must be ${range(field)}${field.question ? ', *, or ?' : ' or *'}`);
  }
  return undefined;
}

function cronProblem(body: string): string | undefined {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    return `has ${fields.length} field(s); Application Auto Scaling's cron takes 6: minutes hours day-of-month month day-of-week year, e.g. cron(0 7 ? * MON-FRI *)`;
  }
  for (const [index, field] of CRON_FIELDS.entries()) {
    const text = fields[index] ?? '';
    if (text === '?') {
      if (!field.question) {
        return `${field.name} "?": only day-of-month and day-of-week take "?"`;
      }
      continue;
    }
    for (const item of text.split(',')) {
      const problem = itemProblem(field, item);
      if (problem !== undefined) {
        return problem;
      }
    }
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return dayOfMonth === '?'
      ? 'day-of-month and day-of-week are both "?"; set one of them (e.g. * for every day)'
      : `day-of-month "${dayOfMonth}" and day-of-week "${dayOfWeek}" cannot both be set; put "?" in one of them (e.g. cron(0 7 ? * MON-FRI *))`;
  }
  return undefined;
}

function rateProblem(body: string): string | undefined {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(body);
  if (!match) {
    return 'must be rate(value unit), e.g. rate(5 minutes)';
  }
  const [, value = '', unit = ''] = match;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    return `"${value}" is not a positive whole number`;
  }
  if (!RATE_UNITS.includes(unit)) {
    return `"${unit}" is not a unit; use minute(s), hour(s) or day(s)`;
  }
  const singular = !unit.endsWith('s');
  if (singular !== (Number(value) === 1)) {
    return singular ? `use the plural: rate(${value} ${unit}s)` : `use the singular: rate(1 ${unit.slice(0, -1)})`;
  }
  return undefined;
}

function atProblem(body: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!match) {
    return 'must be at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-12-24T18:00:00)';
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return valid ? undefined : `${body.trim()} is not a date and time`;
}

/**
 * Why Application Auto Scaling would reject `expression` as a scheduled action's schedule, with the
 * part that is wrong; undefined when it parses.
 */
export function scheduleProblem(expression: string): string | undefined {
  const match = /^(cron|rate|at)\((.*)\)$/s.exec(expression);
  if (!match) {
    return `"${expression}" is not a schedule Application Auto Scaling reads; use cron(...), rate(...) or at(...)`;
  }
  const [, kind = '', body = ''] = match;
  const problem = kind === 'cron' ? cronProblem(body) : kind === 'rate' ? rateProblem(body) : atProblem(body);
  return problem === undefined ? undefined : `"${expression}": ${problem}`;
}
