// The one module that talks to docgen's HTTP API (docs/openapi.json).
// Every call sends `Authorization: Bearer TOKEN`; every failure becomes an
// ApiError carrying the API's {"error": {code, message, request_id, details}}.

export type Role = 'admin' | 'generator' | 'viewer';
export type DocumentKind = 'declarations' | 'form' | 'endorsement' | 'notice';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'canceled'];

/** A finding: package errors, lint findings, job errors and error details. */
export interface Diagnostic {
  severity?: 'error' | 'warning';
  code: string;
  message: string;
  path?: string;
  document?: string;
  instance?: number;
  file?: string;
  line?: number;
  column?: number;
  /** The validator rule broken (rule_violation). */
  rule?: string;
  /** rule_violation of a rule's `require.any`: the ids of which none is carried. */
  documents?: string[];
}

export interface ApiErrorBody {
  code: string;
  message: string;
  request_id: string;
  details?: Diagnostic[] | Record<string, unknown>;
}

/** yes / no / copy per transaction; the server may send booleans for yes/no. */
export type AttachMode = 'yes' | 'no' | 'copy' | boolean | string;

export interface AppliesTo {
  products?: string[];
  jurisdictions?: string[];
  agencies?: string[];
  coverages?: string[];
  coverages_match?: string;
  effective?: { from?: string; until?: string };
}

/** A document edition of the current catalog. Fields beyond the required ones may be missing. */
export interface CatalogDocument {
  id: string;
  edition: string;
  title: string;
  kind: DocumentKind | string;
  order: number;
  template: string;
  applies_to?: AppliesTo;
  attach?: { new?: AttachMode; renewal?: AttachMode; reissue?: AttachMode };
  deletable?: boolean;
  flag_manual?: boolean;
  multiple?: boolean;
  variables?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Which catalog a listing shows: the current version, or the current version with the drafts applied. */
export type CatalogSource = 'current' | 'drafts';

export interface CatalogDocumentList {
  version: number;
  /** Missing from older servers (then: current). */
  source?: CatalogSource;
  documents: CatalogDocument[];
  /** Template texts of the listed editions by path (GET /v1/catalog/documents/{id} only). */
  templates?: Record<string, string>;
}

export interface CatalogVersion {
  version: number;
  name: string;
  digest: string;
  created_at: string;
  created_by: string;
}

export interface CatalogVersionDetail {
  version: number;
  name: string;
  digest: string;
  created_at: string;
  created_by?: string;
  /** Catalog-relative paths of the version's files. */
  files: string[];
  /** SHA-256 (hex) of each file's content, by path: a file differs between two versions exactly when its digests do. */
  file_digests: Record<string, string>;
}

export interface CatalogSummary {
  version: number;
  name: string;
  digest: string;
  created_at: string;
  documents: number;
}

export interface JobResult {
  pages: number;
  package_pdf: string;
  package_json: string;
  documents: { name: string; pages: number; url: string }[];
}

/** How a job ended: the caller's input (invalid, never retried) or docgen's fault (failed). */
export type JobOutcome = 'succeeded' | 'invalid' | 'failed' | 'canceled';

export interface Job {
  id: string;
  status: JobStatus;
  /** Once it ended. */
  outcome?: JobOutcome;
  quote_id: string | null;
  /** The quote's product and jurisdiction, when it names them. */
  product?: string;
  jurisdiction?: string;
  catalog_version: number;
  attempts: number;
  max_attempts: number;
  created_at: string;
  updated_at: string;
  finished_at?: string;
  next_attempt_at?: string;
  callback_url?: string;
  webhook?: { state: 'waiting' | 'pending' | 'delivered' | 'failed'; attempts: number };
  idempotency_key?: string;
  /** W3C trace id of the request that created the job (its log events and webhooks carry it). */
  trace_id?: string;
  errors: Diagnostic[];
  result?: JobResult;
}

/** One SLO as GET /v1/slos reports it (docgen's own per-minute counts). */
export interface Slo {
  name: string;
  description: string;
  objective: number;
  window_days: number;
  indicator: { good: string; total: string };
  good: number;
  total: number;
  compliance: number | null;
  error_budget_left: number;
  burn_rates: Record<'5m' | '30m' | '1h' | '2h' | '6h' | '1d' | '3d', number | null>;
  /** With `history`: the events per step over that span, oldest first. */
  history?: SloHistory;
}

export type HistorySpan = '6h' | '24h' | '7d' | '28d';

export interface SloHistory {
  span: HistorySpan;
  step_minutes: number;
  points: { at: string; good: number; total: number }[];
}

export interface WebhookAttempts {
  job_id: string;
  state: string;
  attempts: { attempt: number; at: string; outcome: 'delivered' | 'failed'; http_status?: number; error?: string }[];
}

export interface PackageDocument {
  id: string;
  edition: string;
  kind: DocumentKind | string;
  title: string;
  source: 'auto' | 'copy' | 'added';
  instance: number;
  variables: Record<string, unknown>;
}

export interface ReviewItem {
  id: string;
  reason: 'flag_manual' | 'dropped_from_prior' | string;
  attached: boolean;
}

export interface ExplainEntry {
  id: string;
  edition: string;
  eligible: boolean;
  instances: number;
  reasons: string[];
}

export interface Package {
  quote_id: string | null;
  transaction: string | null;
  catalog: { name: string; digest: string; version?: number };
  valid: boolean;
  documents: PackageDocument[];
  review: ReviewItem[];
  explain: ExplainEntry[];
  errors: Diagnostic[];
}

export type DocumentEdition = Record<string, unknown> & { id?: string };

export interface Draft {
  id: string;
  editions: DocumentEdition[];
}

export interface DraftLint {
  valid: boolean;
  drafts: string[];
  /** The drafted template paths (missing from older servers). */
  templates?: string[];
  findings: Diagnostic[];
}

export interface TemplateDraft {
  path: string;
  text: string;
}

export interface TemplateDraftSaved {
  path: string;
  bytes: number;
  lint: { valid: boolean; findings: Diagnostic[] };
}

/** POST /v1/catalog/drafts:preview: one document rendered from the catalog with the drafts applied. */
export interface PreviewRequest {
  document: string;
  edition?: string;
  vars?: Record<string, unknown>;
  quote?: Record<string, unknown>;
}

export interface DraftSaved {
  id: string;
  editions: DocumentEdition[];
  lint: { valid: boolean; findings: Diagnostic[] };
}

export interface PublishedVersion {
  version: number;
  name: string;
  digest: string;
  created_at: string;
  findings: Diagnostic[];
}

/** A policy as issued (SPEC §7): the quote and the documents it carries. */
export interface Policy {
  policy_id?: string | null;
  quote: Record<string, unknown>;
  documents: { id: string; edition: string; variables?: Record<string, unknown> }[];
}

/** A finding of the policy validator (POST /v1/policies:validate, batch results). */
export interface Finding extends Diagnostic {
  severity: 'error' | 'warning';
  /** missing_document / unexpected_document: instances the package has and the policy carries. */
  expected?: number;
  found?: number;
  /** stale_edition: the edition carried and the one in force. */
  edition?: string;
  expected_edition?: string;
  /** resolution_error: the resolution error itself. */
  details?: Diagnostic;
}

export interface PolicyResult {
  policy_id: string | null;
  ok: boolean;
  catalog: { name: string; digest: string; version?: number };
  findings: Finding[];
}

export interface ValidationSummary {
  policies: number;
  ok: number;
  with_errors: number;
  with_warnings: number;
  findings_by_code: Record<string, number>;
}

/** A batch validation (POST /v1/validations): a durable job over JSON Lines of policies. */
export interface Validation {
  id: string;
  status: JobStatus;
  catalog_version?: number;
  progress: { policies_done: number; policies_total: number; percent: number };
  attempts?: number;
  max_attempts?: number;
  created_at?: string;
  updated_at?: string;
  finished_at?: string;
  /** Once it succeeded. */
  summary?: ValidationSummary;
  errors?: Diagnostic[];
  links: { self: string; results: string };
}

/** What started a test run. */
export type TestRunTrigger = 'manual' | 'schedule' | 'drafts';
export type VariantStatus = 'same' | 'changed' | 'new' | 'failed';
export const VARIANT_STATUSES: readonly VariantStatus[] = ['changed', 'new', 'failed', 'same'];
export interface TestRunCounts {
  same: number;
  changed: number;
  new: number;
  failed: number;
  removed: number;
}

/** A test run (SPEC §8): every document variant rendered and compared with its golden pages. */
export interface TestRun {
  /** `run_` and 24 hex digits. */
  id: string;
  status: JobStatus;
  outcome?: string;
  trigger: TestRunTrigger;
  drafts: boolean;
  catalog_version: number;
  requested_by?: string;
  progress: { variants_done: number; variants_total: number; percent: number };
  counts: TestRunCounts;
  /** Once it succeeded: the keys of goldens whose variant no longer exists. */
  removed?: string[];
  /** Variants drawn; the others' inputs matched their goldens'. */
  rendered?: number;
  /** Variants an earlier attempt had recorded (the run resumed after a restart). */
  resumed?: number;
  seconds?: number;
  attempts?: number;
  created_at: string;
  finished_at?: string;
  duration_ms?: number;
  errors?: Diagnostic[];
}

/** The pictures of one page of a variant: links (GET with the token) to PNGs. */
export interface VariantImages {
  page: number;
  golden?: string;
  new?: string;
  diff?: string;
}

export interface TestRunVariant {
  seq: number;
  /** ID@EDITION/PRODUCT/JURISDICTION/N */
  key: string;
  status: VariantStatus;
  pages?: number;
  changed_pages?: number[];
  /** Changed pixels over all pixels of its pages. */
  changed_share?: number;
  error?: string;
  rendered?: boolean;
  images: VariantImages[];
}

export interface TestRunVariantPage {
  variants: TestRunVariant[];
  next_after?: number | null;
  removed?: string[];
}

/** The audited actions (GET /v1/audit?action=). */
export const AUDIT_ACTIONS = [
  'draft.save',
  'draft.delete',
  'template_draft.save',
  'template_draft.delete',
  'catalog.publish',
  'job.cancel',
  'job.retry',
  'token.create',
  'token.revoke',
  'ops.run',
  'ops.dry_run',
  'test_run.approve',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One change a person made (SPEC §10), chained to the entry before it by `prev_hash`. */
export interface AuditEntry {
  /** 1, 2, 3, ... with no gaps. */
  seq: number;
  /** ISO time of the change. */
  at: string;
  /** The token's subject, or `cli:USER` for the command line. */
  actor: string;
  /** The token's role, or `cli`. */
  role: string;
  action: AuditAction | string;
  /** `document:ID`, `template:PATH`, `catalog_version:N`, `job:ID`, `token:ID`, `ops_run:ID`. */
  target: string;
  /** The API request that made the change; empty from the command line. */
  request_id: string;
  reason?: string;
  details: Record<string, unknown>;
  /** The previous entry's hash; empty for the first. */
  prev_hash: string;
  /** `sha256:` and 64 hex digits. */
  hash: string;
}

/** A page of the audit log, newest first; a full page has `next_before` (the `before` of the next, older page). */
export interface AuditPage {
  entries: AuditEntry[];
  next_before?: number;
}

/** GET /v1/audit:verify: the hash chain walked oldest first. */
export interface AuditVerification {
  valid: boolean;
  /** Entries checked and found intact (before the first problem). */
  entries: number;
  /** The hash of the last intact entry ('' when the log is empty). */
  head: string;
  /** Which entry does not follow and how, when not valid. */
  problem?: string;
}

/** A JSON Schema object, as the server sends it (an operation's parameters). */
export type JsonSchema = Record<string, unknown>;

/** A registered operation (GET /v1/ops): one-off maintenance with the JSON Schema of its parameters. */
export interface Operation {
  name: string;
  summary: string;
  params_schema: JsonSchema;
}

export type OpRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export const OP_RUN_STATUSES: readonly OpRunStatus[] = ['queued', 'running', 'succeeded', 'failed'];

/** A run of an operation; a dry run is stored succeeded, having changed nothing. */
export interface OpRun {
  /** `op_` and 24 hex digits. */
  id: string;
  operation: string;
  params: Record<string, unknown>;
  dry_run: boolean;
  actor: string;
  role: string;
  reason: string;
  status: OpRunStatus;
  created_at: string;
  finished_at?: string;
  /** Steps in the plan. */
  steps: number;
  /** Steps applied so far (in plan order). */
  steps_done: number;
  /** Why the run failed. */
  error?: string;
  /** What each step changes, or would change (one run and the run response only). */
  plan?: string[];
  /** What each applied step did, in order (one run only). */
  outcomes?: string[];
}

/** POST /v1/ops/{name}:run. */
export interface OpRunRequest {
  /** Why the operation runs (not blank): kept with the run and in the audit log. */
  reason: string;
  params: Record<string, unknown>;
  dry_run: boolean;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string;
  readonly details: ApiErrorBody['details'];

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.requestId = body.request_id;
    this.details = body.details;
  }

  /** The findings in `details`, when it is a list of them. */
  get findings(): Diagnostic[] {
    return Array.isArray(this.details) ? this.details : [];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns any failed answer into an ApiError, whatever its body (JSON error, HTML from a proxy, nothing). */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('X-Request-Id') ?? '';
  let text = '';
  try {
    text = await response.text();
  } catch {
    // the body could not be read: keep the status
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.code === 'string') {
      const e = parsed.error;
      return new ApiError(response.status, {
        code: e.code as string,
        message: typeof e.message === 'string' ? e.message : response.statusText,
        request_id: typeof e.request_id === 'string' ? e.request_id : requestId,
        details: Array.isArray(e.details) || isRecord(e.details) ? (e.details as ApiErrorBody['details']) : undefined,
      });
    }
  } catch {
    // not JSON
  }
  return new ApiError(response.status, {
    code: `http_${response.status}`,
    message: `${response.status} ${response.statusText || 'error'}${text ? `: ${text.slice(0, 200)}` : ''}`,
    request_id: requestId,
  });
}

export interface ClientOptions {
  /** Token for `Authorization: Bearer`; null when signed out. */
  getToken: () => string | null;
  fetch?: typeof fetch;
  /** Prefix of every path; '' for the same origin. */
  baseUrl?: string;
  /** Called on every 401 (e.g. to go back to the sign-in page). */
  onUnauthorized?: (error: ApiError) => void;
}

type Query = Record<string, string | number | undefined | null>;

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

/** A catalog-relative path (`templates/cy-dec.md`) for the URL: each part encoded, the slashes kept. */
export function catalogUrlPath(path: string): string {
  return path.split('/').map(enc).join('/');
}

export interface ListJobsQuery {
  status?: JobStatus;
  created_after?: number;
  created_before?: number;
  limit?: number;
}

export interface ListAuditQuery {
  /** Exact matches. */
  actor?: string;
  action?: AuditAction;
  target?: string;
  /** At or after / before: ms since the epoch, a date (`2026-11-30`) or a UTC time (`2026-11-30T17:05:00Z`). */
  since?: number | string;
  until?: number | string;
  /** Entries with a smaller seq (the `next_before` of the page before). */
  before?: number;
  /** 1-1000 (default 100). */
  limit?: number;
}

export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = options.baseUrl ?? '';

  interface SendInit {
    /** Sent as JSON. */
    body?: unknown;
    /** Sent as it is, with its media type (JSON Lines, JSON text as typed). */
    raw?: { text: string; type: string };
    accept?: string;
    signal?: AbortSignal;
  }

  async function send(method: string, path: string, init: SendInit = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: init.accept ?? 'application/json' };
    const token = options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.raw) {
      headers['Content-Type'] = init.raw.type;
      body = init.raw.text;
    } else if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    let response: Response;
    try {
      response = await doFetch(base + path, { method, headers, body, signal: init.signal, credentials: 'omit', cache: 'no-store' });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new ApiError(0, {
        code: 'network_error',
        message: `The server could not be reached (${cause instanceof Error ? cause.message : String(cause)}).`,
        request_id: '',
      });
    }
    return response;
  }

  async function json<T>(method: string, path: string, init: SendInit & { accept422?: boolean } = {}): Promise<T> {
    const response = await send(method, path, init);
    if (response.ok || (init.accept422 && response.status === 422)) {
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ApiError(response.status, {
          code: 'invalid_response',
          message: 'The server answered with something that is not JSON.',
          request_id: response.headers.get('X-Request-Id') ?? '',
        });
      }
    }
    const error = await errorFromResponse(response);
    if (error.status === 401) options.onUnauthorized?.(error);
    throw error;
  }

  /** The response of a request that must succeed; any failure becomes an ApiError. */
  async function okResponse(method: string, path: string, init: SendInit): Promise<Response> {
    const response = await send(method, path, init);
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (error.status === 401) options.onUnauthorized?.(error);
      throw error;
    }
    return response;
  }

  const binary = async (method: string, path: string, init: SendInit = {}): Promise<Blob> => (await okResponse(method, path, init)).blob();
  const plainText = async (method: string, path: string, init: SendInit = {}): Promise<string> => (await okResponse(method, path, init)).text();

  /** Status of a GET without throwing, for probing roles. */
  async function probe(method: string, path: string, body?: unknown): Promise<number> {
    const response = await send(method, path, { body });
    try {
      await response.text();
    } catch {
      // ignore
    }
    return response.status;
  }

  return {
    /** Finds the role of the token: 401 → null (bad token). */
    async probeRole(): Promise<Role | null> {
      const jobs = await probe('GET', '/v1/jobs?limit=1');
      if (jobs === 401) return null;
      if (jobs >= 500 || (jobs !== 200 && jobs !== 403)) {
        throw new ApiError(jobs, { code: `http_${jobs}`, message: `Probing GET /v1/jobs answered ${jobs}.`, request_id: '' });
      }
      const lint = await probe('GET', '/v1/catalog/drafts:lint');
      // 409 (no catalog yet) also means the role was accepted.
      if (lint === 200 || lint === 409) return 'admin';
      // An empty body is an invalid quote: 422 for generators, 403 for viewers.
      const resolve = await probe('POST', '/v1/packages:resolve', {});
      if (resolve === 422 || resolve === 200 || resolve === 400) return 'generator';
      return 'viewer';
    },

    catalog: (signal?: AbortSignal) => json<CatalogSummary>('GET', '/v1/catalog', { signal }),
    /** The editions of the current version, of the version publishing the drafts would make ('drafts'), or of published version N (a number). */
    documents: (signal?: AbortSignal, source?: CatalogSource | number) =>
      json<CatalogDocumentList>(
        'GET',
        `/v1/catalog/documents${buildQuery(typeof source === 'number' ? { version: source } : { source: source === 'drafts' ? source : undefined })}`,
        { signal },
      ),
    /** The editions of one id, with `templates`; source 'drafts' applies the drafts (422 lint_failed when they have lint errors). */
    document: (id: string, signal?: AbortSignal, source?: CatalogSource) =>
      json<CatalogDocumentList>('GET', `/v1/catalog/documents/${enc(id)}${buildQuery({ source: source === 'drafts' ? source : undefined })}`, { signal }),
    versions: (signal?: AbortSignal) => json<{ versions: CatalogVersion[] }>('GET', '/v1/catalog/versions', { signal }),
    version: (n: number, signal?: AbortSignal) => json<CatalogVersionDetail>('GET', `/v1/catalog/versions/${enc(String(n))}`, { signal }),
    /** A file of published version n as it was published: its text, or null when the server sends it as binary (images); 404 when the version has no such file. */
    versionFile: async (n: number, path: string, signal?: AbortSignal): Promise<string | null> => {
      const response = await okResponse('GET', `/v1/catalog/versions/${enc(String(n))}/files/${catalogUrlPath(path)}`, {
        signal,
        accept: 'text/plain, application/octet-stream',
      });
      if ((response.headers.get('Content-Type') ?? 'text/plain').startsWith('text/')) return response.text();
      await response.body?.cancel();
      return null;
    },

    listJobs: (query: ListJobsQuery, signal?: AbortSignal) =>
      json<{ jobs: Job[] }>('GET', `/v1/jobs${buildQuery(query as Query)}`, { signal }),
    job: (id: string, signal?: AbortSignal) => json<Job>('GET', `/v1/jobs/${enc(id)}`, { signal }),
    webhooks: (id: string, signal?: AbortSignal) => json<WebhookAttempts>('GET', `/v1/jobs/${enc(id)}/webhooks`, { signal }),
    cancelJob: (id: string) => json<Job>('POST', `/v1/jobs/${enc(id)}:cancel`),
    retryJob: (id: string) => json<Job>('POST', `/v1/jobs/${enc(id)}:retry`),
    /** A result of a job (`/v1/jobs/{id}/package.pdf`, …) as a Blob; `path` is the link the job gives. */
    download: (path: string) => {
      if (!path.startsWith('/v1/jobs/')) throw new Error(`not a job result: ${path}`);
      return binary('GET', path, { accept: '*/*' });
    },

    /** The package; a quote that is invalid answers 422 with the package too (valid: false). */
    resolve: (quote: unknown, signal?: AbortSignal) => json<Package>('POST', '/v1/packages:resolve', { body: quote, signal, accept422: true }),
    /** The package PDF; 422 throws an ApiError whose `findings` are the errors. */
    render: (quote: unknown, signal?: AbortSignal) => binary('POST', '/v1/packages:render', { body: quote, signal, accept: 'application/pdf' }),

    lintDrafts: (signal?: AbortSignal) => json<DraftLint>('GET', '/v1/catalog/drafts:lint', { signal }),
    getDraft: (id: string, signal?: AbortSignal) => json<Draft>('GET', `/v1/catalog/drafts/documents/${enc(id)}`, { signal }),
    saveDraft: (id: string, editions: DocumentEdition[]) =>
      json<DraftSaved>('PUT', `/v1/catalog/drafts/documents/${enc(id)}`, { body: editions }),
    deleteDraft: (id: string) => json<void>('DELETE', `/v1/catalog/drafts/documents/${enc(id)}`),
    getTemplateDraft: (path: string, signal?: AbortSignal) =>
      json<TemplateDraft>('GET', `/v1/catalog/drafts/templates/${catalogUrlPath(path)}`, { signal }),
    saveTemplateDraft: (path: string, text: string) =>
      json<TemplateDraftSaved>('PUT', `/v1/catalog/drafts/templates/${catalogUrlPath(path)}`, { body: { text } }),
    deleteTemplateDraft: (path: string) => json<void>('DELETE', `/v1/catalog/drafts/templates/${catalogUrlPath(path)}`),
    /** The PDF of one document with the drafts applied; 422 throws an ApiError whose `findings` are the diagnostics (file/line or pointer). */
    previewDraft: (request: PreviewRequest, signal?: AbortSignal) =>
      binary('POST', '/v1/catalog/drafts:preview', { body: request, signal, accept: 'application/pdf' }),
    publishDrafts: () => json<PublishedVersion>('POST', '/v1/catalog/versions', { body: {} }),

    /** The audit log (admin), newest first. */
    listAudit: (query: ListAuditQuery, signal?: AbortSignal) => json<AuditPage>('GET', `/v1/audit${buildQuery(query as Query)}`, { signal }),
    /** One audit entry by its seq (the one-entry page below seq + 1); null when there is no such entry. */
    auditEntry: async (seq: number, signal?: AbortSignal): Promise<AuditEntry | null> => {
      const page = await json<AuditPage>('GET', `/v1/audit${buildQuery({ before: seq + 1, limit: 1 })}`, { signal });
      const entry = page.entries[0];
      return entry && entry.seq === seq ? entry : null;
    },
    /** Walks the audit log's hash chain (admin). */
    verifyAudit: (signal?: AbortSignal) => json<AuditVerification>('GET', '/v1/audit:verify', { signal }),

    /** Each SLO's compliance, budget left and burn rates (viewer). */
    slos: (history: HistorySpan | null, signal?: AbortSignal) =>
      json<{ as_of: string; slos: Slo[] }>('GET', history ? `/v1/slos?history=${history}` : '/v1/slos', { signal }),

    /** The registered operations (admin). */
    operations: (signal?: AbortSignal) => json<{ operations: Operation[] }>('GET', '/v1/ops', { signal }),
    /** A dry run (200, with its plan, nothing changed) or a run (202, queued: a server worker runs it). 400 names the field first: `/params/since: ...`, `/reason: ...`. */
    runOperation: (name: string, request: OpRunRequest) => json<OpRun>('POST', `/v1/ops/${enc(name)}:run`, { body: request }),
    /** Runs newest first, without plan and outcomes (limit 1-1000, default 100). */
    listOpRuns: (limit?: number, signal?: AbortSignal) => json<{ runs: OpRun[] }>('GET', `/v1/ops/runs${buildQuery({ limit })}`, { signal }),
    /** One run with its plan and outcomes. */
    opRun: (id: string, signal?: AbortSignal) => json<OpRun>('GET', `/v1/ops/runs/${enc(id)}`, { signal }),

    /** The result of one policy, sent as the JSON text given; a body that is JSON but not a policy answers 422 with the result too (invalid_policy findings). */
    validatePolicy: (policyJson: string, signal?: AbortSignal) =>
      json<PolicyResult>('POST', '/v1/policies:validate', { raw: { text: policyJson, type: 'application/json' }, signal, accept422: true }),
    /** Starts a batch validation of JSON Lines (one policy a line): 202 with the validation, queued. */
    createValidation: (jsonLines: string) =>
      json<Validation>('POST', '/v1/validations', { raw: { text: jsonLines, type: 'application/x-ndjson' } }),
    listValidations: (signal?: AbortSignal) => json<{ validations: Validation[] }>('GET', '/v1/validations', { signal }),
    validation: (id: string, signal?: AbortSignal) => json<Validation>('GET', `/v1/validations/${enc(id)}`, { signal }),
    /** The results file (JSON Lines, one PolicyResult a line, in input order); 409 until the validation succeeded. */
    validationResults: (id: string, signal?: AbortSignal) =>
      plainText('GET', `/v1/validations/${enc(id)}/results`, { signal, accept: 'application/x-ndjson' }),
    cancelValidation: (id: string) => json<Validation>('POST', `/v1/validations/${enc(id)}:cancel`),

    /** Starts a test run (admin) of the current catalog, or of the drafts: 202 with the run, queued. */
    startTestRun: (drafts: boolean) => json<TestRun>('POST', '/v1/test-runs', { body: { drafts } }),
    listTestRuns: (signal?: AbortSignal) => json<{ test_runs: TestRun[] }>('GET', '/v1/test-runs', { signal }),
    testRun: (id: string, signal?: AbortSignal) => json<TestRun>('GET', `/v1/test-runs/${enc(id)}`, { signal }),
    /** A page of a run's variants in enumeration order (status: one status; after: the previous page's next_after). */
    testRunVariants: (id: string, query: { status?: VariantStatus | 'removed'; after?: number; limit?: number }, signal?: AbortSignal) =>
      json<TestRunVariantPage>('GET', `/v1/test-runs/${enc(id)}/variants${buildQuery(query as Query)}`, { signal }),
    /** A picture of a variant's page (a link a variant gives) as a Blob. */
    testRunImage: (path: string, signal?: AbortSignal) => {
      if (!path.startsWith('/v1/test-runs/')) throw new Error(`not a test run picture: ${path}`);
      return binary('GET', path, { signal, accept: 'image/png' });
    },
    /** Makes the run's pages the goldens (admin; audited): all of them, or the variants whose keys start with one of `variants`. */
    approveTestRun: (id: string, reason: string, variants?: string[]) =>
      json<{ approved: number; dropped: number; test_run: TestRun }>('POST', `/v1/test-runs/${enc(id)}:approve`, {
        body: variants && variants.length > 0 ? { reason, variants } : { reason },
      }),
    cancelTestRun: (id: string) => json<TestRun>('POST', `/v1/test-runs/${enc(id)}:cancel`),
  };
}

export type ApiClient = ReturnType<typeof createClient>;
