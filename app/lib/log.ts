/*
 * Structured logs: one JSON object per line on stdout, which the awslogs driver turns into one CloudWatch
 * Logs event. The field names are a contract with the infrastructure (a metric filter counts
 * `{ $.level = "error" }`; Logs Insights queries sort `msg = "request"` lines by `durationMs` and count
 * errors by `route`), so a record carries these fields and no others:
 *
 *   time (ISO 8601), level, msg, and when known route, method, status, durationMs, traceId (X-Ray
 *   format, while a span is active), error { name, message, stack }.
 *
 * Dependency-free on purpose: the tracing module, when it runs, tells the logger how to read the active
 * trace id (setTraceIdSource), so that logging never loads OpenTelemetry.
 */

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The optional fields of a record; `error` takes anything thrown and is serialized safely. */
export interface LogFields {
  readonly route?: string;
  readonly method?: string;
  readonly status?: number;
  readonly durationMs?: number;
  readonly error?: unknown;
}

/** An error as it appears in a record. `stack` is absent when the thrown value had none. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** One log line, parsed. */
export interface LogRecord {
  readonly time: string;
  readonly level: LogLevel;
  readonly msg: string;
  readonly route?: string;
  readonly method?: string;
  readonly status?: number;
  readonly durationMs?: number;
  readonly traceId?: string;
  readonly error?: SerializedError;
}

/** Returns the active span's trace id (32 hex digits, OpenTelemetry form), or undefined. */
export type TraceIdSource = () => string | undefined;

/*
 * Next.js bundles instrumentation.ts and each route separately, so this module can exist several times
 * in one process: the trace id source and the warning about LOG_LEVEL live on globalThis, not in module
 * variables, so that every copy sees what the tracing module set.
 */
const TRACE_ID_SOURCE = Symbol.for('learning-assistant.log.trace-id-source');
const WARNED_LEVEL = Symbol.for('learning-assistant.log.warned-level');
type Globals = { [TRACE_ID_SOURCE]?: TraceIdSource; [WARNED_LEVEL]?: string };

/** Sets (or, with undefined, clears) how records read the active trace id. */
export function setTraceIdSource(source: TraceIdSource | undefined): void {
  (globalThis as Globals)[TRACE_ID_SOURCE] = source;
}

/**
 * The X-Ray form `1-<8 hex>-<24 hex>` of an OpenTelemetry trace id, which X-Ray and CloudWatch use to
 * link log events to traces; undefined for anything but 32 hex digits, and for the invalid all-zero id.
 */
export function xrayTraceId(otelTraceId: string | undefined): string | undefined {
  if (typeof otelTraceId !== 'string' || !/^[0-9a-f]{32}$/.test(otelTraceId) || /^0+$/.test(otelTraceId)) {
    return undefined;
  }
  return `1-${otelTraceId.slice(0, 8)}-${otelTraceId.slice(8)}`;
}

/**
 * The threshold from `LOG_LEVEL` (case-insensitive), `info` when unset, blank or unknown.
 * `invalid` holds an unknown value so that the caller can say so once.
 */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): { level: LogLevel; invalid?: string } {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) {
    return { level: 'info' };
  }
  return (LEVELS as readonly string[]).includes(raw) ? { level: raw as LogLevel } : { level: 'info', invalid: raw };
}

/*
 * Docker splits lines longer than 16 KiB and the awslogs driver in non-blocking mode (the ECS default)
 * sends the parts as separate events: the JSON would be cut in two and neither part would match the
 * metric filter. Every line stays under the limit, whatever the message or stack.
 */
const MAX_LINE_BYTES = 16_000;
const MAX_MSG_CHARS = 2_000;
const MAX_ERROR_MESSAGE_CHARS = 2_000;
const MAX_STACK_CHARS = 8_000;
const MAX_SHORT_CHARS = 200;

/** Writes one line (with its newline); the logger never lets a failing sink throw. */
export type LogSink = (line: string, level: LogLevel) => void;

/** Seams for tests; production uses the defaults. */
export interface LoggerOptions {
  /** @default process.stdout (console.log where there is no stdout, e.g. the edge runtime) */
  readonly sink?: LogSink;
  /** @default levelFromEnv(process.env), read at each call so that LOG_LEVEL needs no restart of the module */
  readonly level?: LogLevel;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default the source set by setTraceIdSource */
  readonly traceId?: TraceIdSource;
}

/** A logger: one method per level, each taking a message and the optional contract fields. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether a record at `level` would be written now. */
  enabled(level: LogLevel): boolean;
}

/** Creates a logger; {@link log} is the process's. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = (): LogLevel => {
    if (options.level) {
      return options.level;
    }
    const { level, invalid } = levelFromEnv(process.env);
    const globals = globalThis as Globals;
    if (invalid !== undefined && globals[WARNED_LEVEL] !== invalid) {
      globals[WARNED_LEVEL] = invalid;
      emit('warn', `LOG_LEVEL=${invalid} is not a level: use debug, info, warn or error; logging at info`);
    }
    return level;
  };
  const enabled = (level: LogLevel) => LEVELS.indexOf(level) >= LEVELS.indexOf(threshold());
  const emit = (level: LogLevel, msg: unknown, fields?: LogFields) => {
    try {
      const traceSource = options.traceId ?? (globalThis as Globals)[TRACE_ID_SOURCE];
      const line = formatRecord(level, msg, fields, (options.now ?? (() => new Date()))(), traceSource);
      (options.sink ?? defaultSink)(line + '\n', level);
    } catch {
      // Logging must never take a request down: a broken sink or clock loses this line only.
    }
  };
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    try {
      if (enabled(level)) {
        emit(level, msg, fields);
      }
    } catch {
      // As above.
    }
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), enabled };
}

/** The process's logger: stdout, threshold from `LOG_LEVEL`. */
export const log: Logger = createLogger();

/*
 * Straight to stdout rather than through console.log, which Next.js patches (it dims or badges some
 * logs with ANSI codes). Read through globalThis so that the edge bundle of instrumentation.ts, which
 * has no stdout and falls back to console.log, does not warn about a Node.js API.
 */
type Stdout = { write?: (text: string) => unknown };
function defaultSink(line: string): void {
  const stdout = (globalThis as { process?: { stdout?: Stdout } }).process?.stdout;
  if (typeof stdout?.write === 'function') {
    stdout.write(line);
  } else {
    console.log(line.trimEnd());
  }
}

/**
 * The JSON line of one record (without newline). Pure apart from calling `traceSource`; never throws for
 * any `msg` or `fields.error` (circular objects, BigInt, throwing getters, null prototypes).
 */
export function formatRecord(
  level: LogLevel,
  msg: unknown,
  fieldsIn?: LogFields,
  now: Date = new Date(),
  traceSource?: TraceIdSource,
): string {
  const fields: LogFields = typeof fieldsIn === 'object' && fieldsIn !== null ? fieldsIn : {};
  let traceId: string | undefined;
  try {
    traceId = xrayTraceId(traceSource?.());
  } catch {
    traceId = undefined;
  }
  const record: Record<string, unknown> = {
    time: validDate(now).toISOString(),
    level,
    msg: truncate(safeString(msg), MAX_MSG_CHARS),
  };
  const route = optionalString(fields.route);
  const method = optionalString(fields.method);
  const status = optionalNumber(fields.status);
  const durationMs = optionalNumber(fields.durationMs);
  if (route !== undefined) record.route = route;
  if (method !== undefined) record.method = method;
  if (status !== undefined) record.status = status;
  if (durationMs !== undefined) record.durationMs = durationMs;
  if (traceId !== undefined) record.traceId = traceId;
  if ('error' in fields && fields.error !== undefined) record.error = serializeError(fields.error);
  return fitLine(record);
}

/** `{ name, message, stack }` of anything thrown, bounded in size; never throws. */
export function serializeError(error: unknown): SerializedError {
  if (isErrorLike(error)) {
    const name = truncate(safeString(read(error, 'name')) || 'Error', MAX_SHORT_CHARS);
    let message = safeString(read(error, 'message'));
    // AggregateError (e.g. `net` trying every address) often has an empty message and the reasons inside.
    const inner = read(error, 'errors');
    if (!message && Array.isArray(inner) && inner.length > 0) {
      message = inner.map((e) => safeString(isErrorLike(e) ? read(e, 'message') : e)).join('; ');
    }
    const stack = read(error, 'stack');
    return {
      name,
      message: truncate(message, MAX_ERROR_MESSAGE_CHARS),
      ...(typeof stack === 'string' && stack ? { stack: truncate(stack, MAX_STACK_CHARS) } : {}),
    };
  }
  return { name: 'NonError', message: truncate(safeString(error), MAX_ERROR_MESSAGE_CHARS) };
}

function isErrorLike(value: unknown): value is object {
  try {
    return (
      value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value)
    );
  } catch {
    return false;
  }
}

/** A property read that survives throwing getters and proxies. */
function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Text for any value: strings as they are, the rest as JSON when possible, never a throw. */
function safeString(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'bigint') {
    return `${value.toString()}n`;
  }
  if (typeof value === 'object' && value !== null) {
    try {
      const seen = new WeakSet<object>();
      const json = JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') {
          return `${v.toString()}n`;
        }
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) {
            return '[Circular]';
          }
          seen.add(v);
        }
        return v;
      });
      if (typeof json === 'string') {
        return json;
      }
    } catch {
      // Throwing toJSON or getters: fall back to String below.
    }
  }
  try {
    return String(value);
  } catch {
    // Null-prototype objects and hostile proxies: nothing readable, but still a record.
    return '[unprintable]';
  }
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : truncate(safeString(value), MAX_SHORT_CHARS);
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…[truncated]` : text;
}

function validDate(date: Date): Date {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date : new Date();
}

/** JSON of the record, dropping the stack and then shortening texts until the line fits one event. */
function fitLine(record: Record<string, unknown>): string {
  let line = JSON.stringify(record);
  if (byteLength(line) <= MAX_LINE_BYTES) {
    return line;
  }
  const error = record.error as SerializedError | undefined;
  if (error?.stack !== undefined) {
    record.error = { name: error.name, message: error.message, stack: truncate(error.stack, 1_000) };
    line = JSON.stringify(record);
    if (byteLength(line) <= MAX_LINE_BYTES) {
      return line;
    }
  }
  // Multi-byte or escaped characters can still make the line too long: keep a short, valid record.
  record.msg = truncate(String(record.msg), 200);
  if (record.error) {
    const e = record.error as SerializedError;
    record.error = { name: truncate(e.name, 100), message: truncate(e.message, 200) };
  }
  return JSON.stringify(record);
}

function byteLength(text: string): number {
  return typeof Buffer !== 'undefined' ? Buffer.byteLength(text, 'utf8') : new TextEncoder().encode(text).length;
}
