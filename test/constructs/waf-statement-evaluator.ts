/**
 * A small evaluator of the WAF statements this project writes (as rendered in a template), to check
 * what a scope-down statement lets through without deploying: byte matches on the URI path or a
 * header, combined with NOT, AND and OR, after the text transformations WAF applies.
 */

/** The parts of a web request the statements read. */
export interface WafRequest {
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface TextTransformation {
  Priority: number;
  Type: string;
}

/** WAF's URL_DECODE: %XX escapes decoded, an invalid escape left as it is. */
function urlDecode(value: string): string {
  return value.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * WAF's NORMALIZE_PATH: removes multiple slashes, directory self-references and back-references that
 * are not at the beginning of the input.
 */
function normalizePath(value: string): string {
  const absolute = value.startsWith('/');
  const trailing = value.endsWith('/');
  const out: string[] = [];
  for (const segment of value.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const joined = `${absolute ? '/' : ''}${out.join('/')}`;
  return trailing && out.length > 0 ? `${joined}/` : joined || '/';
}

const TRANSFORMATIONS: Record<string, (value: string) => string> = {
  NONE: (value) => value,
  LOWERCASE: (value) => value.toLowerCase(),
  URL_DECODE: urlDecode,
  NORMALIZE_PATH: normalizePath,
};

function transform(value: string, transformations: TextTransformation[]): string {
  return [...transformations]
    .sort((a, b) => a.Priority - b.Priority)
    .reduce((current, { Type }) => {
      const apply = TRANSFORMATIONS[Type];
      if (apply === undefined) throw new Error(`the evaluator does not know text transformation ${Type}`);
      return apply(current);
    }, value);
}

function field(fieldToMatch: any, request: WafRequest): string {
  if (fieldToMatch.UriPath !== undefined) return request.path;
  if (fieldToMatch.SingleHeader !== undefined) {
    const name = String(fieldToMatch.SingleHeader.Name).toLowerCase();
    const header = Object.entries(request.headers ?? {}).find(([key]) => key.toLowerCase() === name);
    return header?.[1] ?? '';
  }
  throw new Error(`the evaluator does not know field ${JSON.stringify(fieldToMatch)}`);
}

/** Whether `statement` (CloudFormation casing, as in a template) matches `request`. */
export function matches(statement: any, request: WafRequest): boolean {
  if (statement.NotStatement) return !matches(statement.NotStatement.Statement, request);
  if (statement.AndStatement) return statement.AndStatement.Statements.every((s: any) => matches(s, request));
  if (statement.OrStatement) return statement.OrStatement.Statements.some((s: any) => matches(s, request));
  if (statement.ByteMatchStatement) {
    const { FieldToMatch, PositionalConstraint, SearchString, TextTransformations } = statement.ByteMatchStatement;
    const value = transform(field(FieldToMatch, request), TextTransformations);
    switch (PositionalConstraint) {
      case 'EXACTLY':
        return value === SearchString;
      case 'STARTS_WITH':
        return value.startsWith(SearchString);
      case 'ENDS_WITH':
        return value.endsWith(SearchString);
      case 'CONTAINS':
        return value.includes(SearchString);
      default:
        throw new Error(`the evaluator does not know positional constraint ${PositionalConstraint}`);
    }
  }
  throw new Error(`the evaluator does not know statement ${Object.keys(statement).join(', ')}`);
}

/**
 * Whether a managed rule group statement evaluates `request`: its scope-down statement matches, or it
 * has none.
 */
export function inScope(managedRuleGroupStatement: any, request: WafRequest): boolean {
  const scopeDown = managedRuleGroupStatement.ScopeDownStatement;
  return scopeDown === undefined || matches(scopeDown, request);
}
