'use client';
// A modal on the native <dialog>: focus is trapped and Escape closes it, as browsers do it.
import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  open: boolean;
  title: ReactNode;
  description?: ReactNode;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  width?: number;
  /** a form id: Enter in the dialog submits it */
  className?: string;
}

export function Dialog({ open, title, description, onClose, children, footer, width = 480, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // showModal focuses the first focusable element, the Close button; a person opening a form
      // wants its first field (React's autoFocus ran while the dialog was still closed)
      const first = firstField(d);
      if (first) first.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ''}`}
      style={{ width }}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // a click on the backdrop (the dialog element itself, outside its box) closes
        if (e.target === ref.current) {
          const r = ref.current.getBoundingClientRect();
          const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
          if (!inside) onClose();
        }
      }}
    >
      {open && (
        <div className="dialog-box">
          <header className="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
              <CloseIcon />
            </button>
          </header>
          {description && (
            <p id={descId} className="dialog-desc">
              {description}
            </p>
          )}
          <div className="dialog-body">{children}</div>
          {footer && <footer className="dialog-foot">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

const FIELD = ':is(input, select, textarea):not([type="hidden"]):not(:disabled)';

/** The field a dialog opens on: the first one of its body (a radio group's checked choice), else
 * the footer's main button — Cancel when that button destroys something. */
function firstField(d: HTMLDialogElement): HTMLElement | null {
  const field = d.querySelector<HTMLInputElement>(`.dialog-body ${FIELD}`);
  if (field?.type === 'radio' && field.name) {
    const checked = d.querySelector<HTMLInputElement>(`.dialog-body input[type="radio"][name="${CSS.escape(field.name)}"]:checked`);
    if (checked) return checked;
  }
  return field ?? d.querySelector<HTMLElement>('.dialog-foot .btn-primary:not(:disabled)') ?? d.querySelector<HTMLElement>('.dialog-foot .btn:not(.btn-danger)');
}

export function CloseIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" fill="none" />
    </svg>
  );
}
