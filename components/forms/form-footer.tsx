import { FormError } from './form-error';

/** A dialog form's error line and its Cancel / submit buttons. */
export function FormFooter({
  error,
  busy,
  onCancel,
  submit,
  busyLabel,
}: {
  error: string | null | undefined;
  busy: boolean;
  onCancel: () => void;
  submit: string;
  busyLabel: string;
}) {
  return (
    <>
      <FormError error={error} />
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? busyLabel : submit}
        </button>
      </div>
    </>
  );
}
