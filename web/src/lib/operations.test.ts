import { describe, expect, it } from 'vitest';
import { ApiError, type OpRun } from '../api/client';
import {
  afterParamsChange,
  alternativesText,
  changedParams,
  cleanParams,
  currentDryRun,
  defaultParams,
  formSchema,
  outcomesHeadline,
  paramLabel,
  placeMessage,
  placeRunError,
  planCaption,
  planHeadline,
  refusalText,
  runKey,
  stepsText,
  toErrorSchema,
} from './operations';

// The schemas as docgen sends them (src/jobs/operations.cc).
const time = { type: 'string', description: 'A date (2026-11-30), a UTC time (2026-11-30T17:05:00Z) or ms since the epoch.' };
const regenerate = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { ...time, title: 'Jobs created from' },
    until: { ...time, title: 'Jobs created before' },
    catalog_version: { type: 'integer', minimum: 1, title: 'Catalog version' },
  },
  anyOf: [{ required: ['since'] }, { required: ['catalog_version'] }],
};
const prune = {
  type: 'object',
  additionalProperties: false,
  properties: { older_than_days: { type: 'integer', minimum: 0, maximum: 36500, default: 30, title: 'Older than (days)' } },
};
const names = Object.keys(regenerate.properties);

const run = (over: Partial<OpRun> = {}): OpRun => ({
  id: 'op_0123456789abcdef01234567',
  operation: 'prune',
  params: { older_than_days: 3650 },
  dry_run: true,
  actor: 'alice',
  role: 'admin',
  reason: 'tidy up',
  status: 'succeeded',
  created_at: '2026-11-30T17:05:00Z',
  steps: 1,
  steps_done: 0,
  plan: ['delete the jobs finished before 2016-12-02T17:05:00Z'],
  ...over,
});

const badRequest = (message: string) => new ApiError(400, { code: 'invalid_request', message, request_id: 'req_1' });

describe('the form of a parameter schema', () => {
  it('starts from the defaults', () => {
    expect(defaultParams(prune)).toEqual({ older_than_days: 30 });
    expect(defaultParams(regenerate)).toEqual({});
    expect(defaultParams({ type: 'object' })).toEqual({});
  });

  it('names parameters by their title, else by their name', () => {
    expect(paramLabel(regenerate, 'since')).toBe('Jobs created from');
    expect(paramLabel(regenerate, 'nope')).toBe('nope');
  });

  it('takes out a root anyOf of required lists and says it in words', () => {
    const { schema, alternatives } = formSchema(regenerate);
    expect(schema.anyOf).toBeUndefined();
    expect(schema.properties).toBe(regenerate.properties);
    expect(regenerate.anyOf).toHaveLength(2); // the original is left alone
    expect(alternatives).toEqual([{ keyword: 'anyOf', groups: [['since'], ['catalog_version']] }]);
    expect(alternativesText(alternatives[0]!, regenerate)).toBe('Give at least one of: Jobs created from; Catalog version.');
    expect(alternativesText({ keyword: 'oneOf', groups: [['since', 'until'], ['catalog_version']] }, regenerate)).toBe(
      'Give exactly one of: Jobs created from and Jobs created before; Catalog version.',
    );
  });

  it('keeps an anyOf that says more than which parameters are required', () => {
    const schema = { ...regenerate, anyOf: [{ required: ['since'] }, { properties: { since: { minLength: 1 } } }] };
    expect(formSchema(schema)).toEqual({ schema, alternatives: [] });
    expect(formSchema(prune)).toEqual({ schema: prune, alternatives: [] });
  });

  it('drops the members an emptied field leaves undefined', () => {
    expect(cleanParams({ since: undefined, catalog_version: 3 })).toEqual({ catalog_version: 3 });
  });
});

describe('whether the last dry run is of the inputs shown', () => {
  const last = { key: runKey('prune', { older_than_days: 3650 }, 'tidy up'), run: run() };

  it('is, for the same operation, parameters and reason (member order and emptied fields aside)', () => {
    expect(currentDryRun(last, runKey('prune', { older_than_days: 3650, x: undefined }, 'tidy up'))).toBe(last.run);
    expect(runKey('regenerate', { since: '2026-01-01', catalog_version: 2 }, 'r')).toBe(runKey('regenerate', { catalog_version: 2, since: '2026-01-01' }, 'r'));
  });

  it('is not once any input changed, nor before any dry run', () => {
    expect(currentDryRun(last, runKey('prune', { older_than_days: 365 }, 'tidy up'))).toBeNull();
    expect(currentDryRun(last, runKey('prune', { older_than_days: 3650 }, 'tidy up '))).toBeNull();
    expect(currentDryRun(last, runKey('retry-failed', { older_than_days: 3650 }, 'tidy up'))).toBeNull();
    expect(currentDryRun(last, runKey('prune', { older_than_days: '3650' }, 'tidy up'))).toBeNull();
    expect(currentDryRun(null, last.key)).toBeNull();
  });
});

describe('a refusal placed on the field its pointer names', () => {
  it('places /reason and /params/NAME beside their fields, without the pointer', () => {
    expect(placeMessage('/reason: say why this operation runs; the reason is kept with the run and in the audit log.', names)).toEqual({
      field: { kind: 'reason' },
      message: 'Say why this operation runs; the reason is kept with the run and in the audit log.',
    });
    expect(placeMessage('/params/since: "yesterday" is not a date (2026-11-30), a UTC time (2026-11-30T17:05:00Z) or ms since the epoch.', names)).toEqual({
      field: { kind: 'param', name: 'since' },
      message: '"yesterday" is not a date (2026-11-30), a UTC time (2026-11-30T17:05:00Z) or ms since the epoch.',
    });
    expect(placeMessage('/params/catalog_version: Variable /catalog_version: 0 is less than the minimum of 1', names)?.field).toEqual({ kind: 'param', name: 'catalog_version' });
  });

  it('places /params, and a parameter the form lacks, on the parameters as a whole', () => {
    expect(placeMessage('/params: the parameters are an object.', names)).toEqual({ field: { kind: 'params' }, message: 'The parameters are an object.' });
    expect(placeMessage('/params/foo: Variable /foo is not one this document accepts.', names)).toEqual({
      field: { kind: 'params' },
      message: '/params/foo: Variable /foo is not one this document accepts.',
    });
  });

  it('places nothing without a pointer to a field of the form', () => {
    expect(placeMessage('The run would change more than 100000 jobs; narrow the time window (since, until).', names)).toBeNull();
    expect(placeMessage('/dry_run: true or false.', names)).toBeNull();
    expect(placeMessage('/reason/x: odd', names)).toBeNull();
  });

  it('keeps other failures to show as they are', () => {
    const notFound = new ApiError(404, { code: 'not_found', message: 'There is no operation x.', request_id: 'r' });
    expect(placeRunError(notFound, names)).toEqual({ fields: { params: {} }, unplaced: notFound });
    const network = new Error('offline');
    expect(placeRunError(network, names).unplaced).toBe(network);
    const unplaced = badRequest('The run would change more than 100000 jobs; narrow the time window (since, until).');
    expect(placeRunError(unplaced, names)).toEqual({ fields: { params: {} }, unplaced });
  });

  it('turns a placed 400 into field messages and the form library errors', () => {
    const reason = placeRunError(badRequest('/reason: say why.'), names);
    expect(reason).toEqual({ fields: { params: {}, reason: 'Say why.' }, unplaced: null });
    expect(toErrorSchema(reason.fields)).toBeUndefined();

    const since = placeRunError(badRequest('/params/since: bad'), names).fields;
    expect(toErrorSchema(since)).toEqual({ since: { __errors: ['Bad'] } });
    const form = placeRunError(badRequest('/params: Variable  is required'), names).fields;
    expect(toErrorSchema(form)).toEqual({ __errors: ['Variable  is required'] });
    expect(toErrorSchema({ params: {} })).toBeUndefined();
  });

  it('says where the messages are', () => {
    expect(refusalText(true, { params: {}, reason: 'x' }, regenerate)).toBe('The server refused the dry run: see the message beside Reason.');
    expect(refusalText(false, { params: { since: 'x', catalog_version: 'y' }, form: 'z' }, regenerate)).toBe(
      'The server refused the run: see the messages beside the parameters, Jobs created from and Catalog version.',
    );
    expect(refusalText(true, { params: {} }, regenerate)).toBe('');
  });
});

describe('messages as the inputs change', () => {
  const errors = { params: { since: 'bad since', catalog_version: 'bad version' }, form: 'all', reason: 'why?' };

  it('names the parameters that changed', () => {
    expect(changedParams({ a: 1, b: 'x' }, { a: 1, b: 'y', c: undefined })).toEqual(['b']);
    expect(changedParams({ a: 1 }, {})).toEqual(['a']);
    expect(changedParams({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual([]);
  });

  it("drops a changed parameter's message and the one about all of them, keeps the others", () => {
    expect(afterParamsChange(errors, { since: 'yesterday' }, { since: '2026-11-30' })).toEqual({ params: { catalog_version: 'bad version' }, reason: 'why?' });
    expect(afterParamsChange(errors, { since: 'a' }, { since: 'a' })).toBe(errors);
  });
});

describe('steps in words', () => {
  it('heads a dry run plan', () => {
    expect(planHeadline(1)).toBe('1 step would:');
    expect(planHeadline(1200)).toBe('1200 steps would:');
    expect(planHeadline(0)).toBe('No step: a run would change nothing now.');
    expect(planCaption(run())).toBe('1 step would:');
    expect(planCaption(run({ dry_run: false, steps: 3 }))).toBe('3 steps planned:');
    expect(planCaption(run({ dry_run: false, steps: 0 }))).toBe('No step: there was nothing to change.');
  });

  it('counts planned and applied steps', () => {
    expect(stepsText(run())).toBe('1 planned');
    expect(stepsText(run({ dry_run: false, steps: 40, steps_done: 12 }))).toBe('12/40');
    expect(outcomesHeadline(run({ steps: 1, steps_done: 1 }))).toBe('Outcomes (1 of 1 step applied)');
    expect(outcomesHeadline(run({ steps: 40, steps_done: 12 }))).toBe('Outcomes (12 of 40 steps applied)');
  });
});
