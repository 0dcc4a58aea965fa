import { lazy, Suspense } from 'react';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';

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
