import { ApiError, type Diagnostic } from '../api/client';
import { Findings, type FindingsProps } from './Findings';

function headline(error: ApiError): string {
  if (error.status === 401) return 'Not signed in (401)';
  if (error.status === 403) return 'Not allowed for your role (403)';
  if (error.status === 0) return 'Server unreachable';
  return `Error ${error.status}`;
}

/** Shows an error of the API ({"error": {code, message, request_id, details}}) or any other failure. */
export function ErrorPanel({ error, title, onRetry, onPointer, canLocate }: { error: unknown; title?: string; onRetry?: () => void } & Pick<FindingsProps, 'onPointer' | 'canLocate'>) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  const details = api?.details;
  return (
    <div className="alert alert-danger" role="alert" aria-live="assertive">
      <h2 className="h6 alert-heading mb-1">
        {title ? `${title}: ` : ''}
        {api ? headline(api) : 'Something went wrong'}
      </h2>
      <p className="mb-1">{message}</p>
      {api && (
        <p className="mb-0 small">
          code <code>{api.code}</code>
          {api.requestId && (
            <>
              {' · '}request id <code>{api.requestId}</code>
            </>
          )}
        </p>
      )}
      {Array.isArray(details) && details.length > 0 && (
        <div className="mt-2">
          <Findings findings={details as Diagnostic[]} caption="Details" onPointer={onPointer} canLocate={canLocate} />
        </div>
      )}
      {details && !Array.isArray(details) && <pre className="small mt-2 mb-0">{JSON.stringify(details, null, 2)}</pre>}
      {onRetry && (
        <button type="button" className="btn btn-sm btn-outline-danger mt-2" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
