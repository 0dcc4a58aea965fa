// Pure helpers of the Operations page: an operation's parameter schema as a
// form (defaults, "at least one of" rules in words), whether the last dry run
// is of the inputs shown, the 400 answer's JSON Pointer placed on the field it
// names, and a run's steps in words.
import { ApiError, type JsonSchema, type OpRun } from '../api/client';
import { parsePointer, stringifySorted } from './jsonPointer';

export type Params = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema's top-level properties by name ({} when it has none). */
export function properties(schema: JsonSchema): Record<string, JsonSchema> {
  const props = schema.properties;
  if (!isRecord(props)) return {};
  const out: Record<string, JsonSchema> = {};
  for (const [name, s] of Object.entries(props)) if (isRecord(s)) out[name] = s;
  return out;
}

/** A parameter's title, else its name. */
export function paramLabel(schema: JsonSchema, name: string): string {
  const title = properties(schema)[name]?.title;
  return typeof title === 'string' && title !== '' ? title : name;
}

/** The parameters as the form starts: each top-level property's `default`. */
export function defaultParams(schema: JsonSchema): Params {
  const out: Params = {};
  for (const [name, s] of Object.entries(properties(schema))) if ('default' in s) out[name] = s.default;
  return out;
}

/** The parameters as sent: members the form left undefined (emptied fields) dropped. */
export function cleanParams(params: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out;
}

/** A rule "at least one of" (anyOf) or "exactly one of" (oneOf) groups of required parameters. */
export interface Alternatives {
  keyword: 'anyOf' | 'oneOf';
  /** Each alternative: the parameters it requires. */
  groups: string[][];
}

/**
 * The schema the form is generated from, and the rules it cannot show: a
 * root `anyOf`/`oneOf` whose entries only say which parameters are required
 * (regenerate: `since` or `catalog_version`) would be drawn by the form
 * library as a meaningless "Option 1 / Option 2" choice, so it is taken out
 * and said in words instead (the server checks it anyway).
 */
export function formSchema(schema: JsonSchema): { schema: JsonSchema; alternatives: Alternatives[] } {
  const out: JsonSchema = { ...schema };
  const alternatives: Alternatives[] = [];
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (!Array.isArray(list) || list.length === 0) continue;
    const groups: string[][] = [];
    for (const entry of list) {
      if (!isRecord(entry) || Object.keys(entry).some((k) => k !== 'required') || !Array.isArray(entry.required)) break;
      groups.push(entry.required.filter((r): r is string => typeof r === 'string'));
    }
    if (groups.length !== list.length) continue;
    delete out[keyword];
    alternatives.push({ keyword, groups });
  }
  return { schema: out, alternatives };
}

/** A rule of `formSchema` in words, with the parameters' titles: "Give at least one of: Jobs created from; Catalog version." */
export function alternativesText(a: Alternatives, schema: JsonSchema): string {
  const groups = a.groups.map((g) => g.map((name) => paramLabel(schema, name)).join(' and '));
  return `Give ${a.keyword === 'anyOf' ? 'at least' : 'exactly'} one of: ${groups.join('; ')}.`;
}

/** What a dry run is of: the operation, the parameters as sent and the reason as typed. Equal keys, equal inputs. */
export function runKey(operation: string, params: Params, reason: string): string {
  return stringifySorted({ operation, params: cleanParams(params), reason });
}

/** The last successful dry run, with the key of the inputs it was made with. */
export interface DryRun {
  key: string;
  run: OpRun;
}

/** The last dry run when it is of exactly the inputs shown (Run is then allowed), else null. */
export function currentDryRun(last: DryRun | null, key: string): OpRun | null {
  return last && last.key === key ? last.run : null;
}

/** The field a 400 answer is about. */
export type RunField = { kind: 'reason' } | { kind: 'param'; name: string } | { kind: 'params' };

/** Messages beside the fields: the reason, each parameter, the parameters as a whole (`form`). */
export interface RunFieldErrors {
  reason?: string;
  params: Record<string, string>;
  form?: string;
}

export const NO_FIELD_ERRORS: RunFieldErrors = { params: {} };

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The field an error message of POST /v1/ops/{name}:run names with its
 * leading JSON Pointer (`/reason: ...`, `/params/since: ...`), and the message
 * without it. `/params` itself, or a parameter the form does not have (one
 * the schema does not accept), is about the parameters as a whole (the
 * message keeps its pointer then). Null when the message starts with no
 * pointer to a field of the form (`/dry_run`, or none).
 */
export function placeMessage(message: string, paramNames: readonly string[]): { field: RunField; message: string } | null {
  const m = /^(\/[^\s:]*):\s*([\s\S]*)$/.exec(message);
  if (!m) return null;
  const tokens = parsePointer(m[1] ?? '');
  const text = capitalized((m[2] ?? '').trim() || message);
  if (!tokens || tokens.length === 0) return null;
  if (tokens[0] === 'reason' && tokens.length === 1) return { field: { kind: 'reason' }, message: text };
  if (tokens[0] !== 'params') return null;
  const name = tokens[1];
  if (name === undefined) return { field: { kind: 'params' }, message: text };
  if (paramNames.includes(name)) return { field: { kind: 'param', name }, message: text };
  return { field: { kind: 'params' }, message: capitalized(message) };
}

/**
 * A failed dry run or run: a 400 whose message names a field of the form
 * goes beside that field (`fields`); anything else (404, 403, a network
 * failure, a message without a pointer) stays an error to show as it is
 * (`unplaced`).
 */
export function placeRunError(error: unknown, paramNames: readonly string[]): { fields: RunFieldErrors; unplaced: unknown } {
  if (!(error instanceof ApiError) || error.status !== 400) return { fields: NO_FIELD_ERRORS, unplaced: error };
  const placed = placeMessage(error.message, paramNames);
  if (!placed) return { fields: NO_FIELD_ERRORS, unplaced: error };
  const { field, message } = placed;
  if (field.kind === 'reason') return { fields: { params: {}, reason: message }, unplaced: null };
  if (field.kind === 'params') return { fields: { params: {}, form: message }, unplaced: null };
  return { fields: { params: { [field.name]: message } }, unplaced: null };
}

/** The parameters' messages as the form library's `extraErrors` (`{__errors, since: {__errors}}`); undefined when there are none. */
export function toErrorSchema(errors: RunFieldErrors): Record<string, { __errors: string[] }> & { __errors?: string[] } | undefined {
  const out: Record<string, { __errors: string[] }> & { __errors?: string[] } = {};
  for (const [name, message] of Object.entries(errors.params)) out[name] = { __errors: [message] };
  if (errors.form !== undefined) out.__errors = [errors.form];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The names of the parameters whose values differ (members missing on one side count). */
export function changedParams(before: Params, after: Params): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => stringifySorted(before[n] ?? null) !== stringifySorted(after[n] ?? null));
}

/** The messages still standing once the parameters changed: a changed parameter's goes, and so does the one about them all. */
export function afterParamsChange(errors: RunFieldErrors, before: Params, after: Params): RunFieldErrors {
  const changed = changedParams(before, after);
  if (changed.length === 0) return errors;
  const params = Object.fromEntries(Object.entries(errors.params).filter(([n]) => !changed.includes(n)));
  return { params, reason: errors.reason };
}

const steps = (n: number) => `${n} ${n === 1 ? 'step' : 'steps'}`;

/** The headline of a dry run's plan: "1 step would:", or that nothing would change. */
export function planHeadline(stepCount: number): string {
  return stepCount === 0 ? 'No step: a run would change nothing now.' : `${steps(stepCount)} would:`;
}

/** The plan's caption in a run's details: a dry run's headline, or the steps a run planned. */
export function planCaption(run: Pick<OpRun, 'dry_run' | 'steps'>): string {
  if (run.dry_run) return planHeadline(run.steps);
  return run.steps === 0 ? 'No step: there was nothing to change.' : `${steps(run.steps)} planned:`;
}

/** A run's steps for the runs table: planned (dry run), or applied of planned. */
export function stepsText(run: Pick<OpRun, 'dry_run' | 'steps' | 'steps_done'>): string {
  return run.dry_run ? `${run.steps} planned` : `${run.steps_done}/${run.steps}`;
}

/** The outcomes' heading: how many steps of the plan are applied. */
export function outcomesHeadline(run: Pick<OpRun, 'steps' | 'steps_done'>): string {
  return `Outcomes (${run.steps_done} of ${steps(run.steps)} applied)`;
}

/** What the refusal of a dry run or run is about, in words, for a live region: "The server refused the dry run: see the message beside Reason." */
export function refusalText(dryRun: boolean, errors: RunFieldErrors, schema: JsonSchema): string {
  const where = [
    ...(errors.form !== undefined ? ['the parameters'] : []),
    ...Object.keys(errors.params).map((n) => paramLabel(schema, n)),
    ...(errors.reason !== undefined ? ['Reason'] : []),
  ];
  if (where.length === 0) return '';
  const list = where.length === 1 ? where[0] : `${where.slice(0, -1).join(', ')} and ${where[where.length - 1]}`;
  return `The server refused the ${dryRun ? 'dry run' : 'run'}: see the message${where.length === 1 ? '' : 's'} beside ${list}.`;
}
