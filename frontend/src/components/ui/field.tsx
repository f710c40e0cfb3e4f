import { cloneElement, useId, type InputHTMLAttributes, type ReactElement, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string;
  /** The control's id when something else refers to it; one is generated otherwise. */
  id?: string;
  /** Extra classes for the wrapper (its place in a grid, say); the form around it spaces the fields. */
  className?: string;
  /** A single input, select or textarea; it receives id, its look, aria-invalid and aria-describedby. */
  children: ReactElement<Record<string, unknown>>;
}

/** The look of every text input, select and textarea; a field in error gets the danger border. */
export const controlClass =
  'min-h-10 w-full rounded-sm border border-border bg-surface px-3 py-2 placeholder:text-muted aria-invalid:border-danger disabled:cursor-not-allowed disabled:opacity-60';

/** A labelled form control with its hint and its validation message wired up for assistive technology. */
export function Field({ label, error, hint, id: fixedId, className, children }: FieldProps) {
  const generatedId = useId();
  const id = fixedId ?? generatedId;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className ?? ''}`}>
      <label htmlFor={id} className="text-sm font-semibold">
        {label}
      </label>
      {cloneElement(children, {
        id,
        className: controlClass,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy,
      })}
      {hint && (
        <p id={hintId} className="text-sm text-muted">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-sm font-medium text-danger">
          {error}
        </p>
      )}
    </div>
  );
}

interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> {
  /** Shown beside the box; omit it for a box named by `aria-label`. */
  label?: ReactNode;
}

/** A checkbox in the app's colour, with its label beside it when it has one. */
export function Checkbox({ label, className, ...props }: CheckboxProps) {
  const box = <input type="checkbox" className={`size-[1.15rem] accent-primary ${className ?? ''}`} {...props} />;
  if (label === undefined) return box;
  return (
    <label className="inline-flex min-h-8 items-center gap-2">
      {box}
      {label}
    </label>
  );
}
