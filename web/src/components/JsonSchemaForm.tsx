import { lazy, Suspense } from 'react';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';

export interface JsonSchemaFormProps<T = unknown> {
  schema: RJSFSchema;
  uiSchema?: UiSchema;
  formData: T;
  onChange: (data: T) => void;
  onSubmit?: (data: T) => void;
  submitLabel?: string;
  disabled?: boolean;
  /** Accessible name of the form. */
  label: string;
  /** Messages from elsewhere (the server's answer) shown beside their fields: `{since: {__errors: [...]}}`; `__errors` at the top for the whole form. */
  extraErrors?: ErrorSchema<T>;
  /** The list of every error above the form (default true); off when each message beside its field says enough. */
  errorList?: boolean;
}

// rjsf and ajv are loaded on first use.
const Impl = lazy(() => import('./JsonSchemaFormImpl'));

export function JsonSchemaForm<T>(props: JsonSchemaFormProps<T>) {
  return (
    <Suspense fallback={<p aria-busy="true">Loading form…</p>}>
      <Impl {...(props as JsonSchemaFormProps<unknown>)} />
    </Suspense>
  );
}
