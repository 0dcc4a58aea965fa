import Form from '@rjsf/core';
import { customizeValidator } from '@rjsf/validator-ajv8';
import type { RJSFSchema, ValidatorType } from '@rjsf/utils';
import type { JsonSchemaFormProps } from './JsonSchemaForm';

// ajv compiles schemas with `new Function`, which the UI's CSP (script-src
// 'self', no 'unsafe-eval') forbids. When that happens the form still works
// without client-side checks: the server validates everything anyway.
const ajv = customizeValidator();
let evalBlocked = false;

function guarded<K extends keyof ValidatorType>(name: K, fallback: () => unknown) {
  return (...args: unknown[]) => {
    if (evalBlocked) return fallback();
    try {
      return (ajv[name] as (...a: unknown[]) => unknown).apply(ajv, args);
    } catch (e) {
      if (e instanceof EvalError || (e instanceof Error && /unsafe-eval|Content Security Policy/i.test(e.message))) {
        evalBlocked = true;
        return fallback();
      }
      throw e;
    }
  };
}

const validator = {
  validateFormData: guarded('validateFormData', () => ({ errors: [], errorSchema: {} })),
  toErrorList: (...a: unknown[]) => (ajv.toErrorList as (...x: unknown[]) => unknown)(...a),
  isValid: guarded('isValid', () => true),
  rawValidation: guarded('rawValidation', () => ({ errors: [] })),
  reset: () => ajv.reset?.(),
} as unknown as ValidatorType<unknown, RJSFSchema>;

export default function JsonSchemaFormImpl({ schema, uiSchema, formData, onChange, onSubmit, submitLabel, disabled, label, extraErrors, errorList = true }: JsonSchemaFormProps<unknown>) {
  return (
    // rjsf does not pass aria-label on to its <form>: the group around it carries the name.
    <div className="rjsf-host" role="group" aria-label={label}>
      <Form
        schema={schema}
        uiSchema={{ 'ui:submitButtonOptions': { submitText: submitLabel ?? 'Save', norender: !onSubmit }, ...uiSchema }}
        formData={formData}
        validator={validator}
        disabled={disabled}
        extraErrors={extraErrors}
        noHtml5Validate
        showErrorList={errorList ? 'top' : false}
        onChange={(e) => onChange(e.formData)}
        onSubmit={(e) => onSubmit?.(e.formData)}
      />
    </div>
  );
}
