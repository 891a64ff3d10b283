'use client';
// A small dropdown menu: a button that opens a list of actions. Arrow keys move, Escape closes,
// a click outside closes. The list is portalled to <body> at the trigger's place on screen, so it
// reads at its normal size on a zoomed-out graph and no neighbouring node or table edge clips it.
import { useEffect, useId, useLayoutEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface MenuItem {
  label: string;
  icon?: ReactNode;
  danger?: boolean;
  disabled?: boolean;
  onSelect(): void;
}

interface MenuProps {
  label: string;
  items: MenuItem[];
  trigger: ReactNode;
  className?: string;
  align?: 'left' | 'right';
}

/** Gap between the trigger and the list, and the least room kept from the window's edges. */
const GAP = 4;
const EDGE = 8;

export function Menu({ label, items, trigger, className, align = 'right' }: MenuProps) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<CSSProperties | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const id = useId();

  // under the trigger, or above it when the window has no room below
  useLayoutEffect(() => {
    if (!open) {
      setPlace(null);
      return;
    }
    const t = button.current?.getBoundingClientRect();
    const l = list.current?.getBoundingClientRect();
    if (!t || !l) return;
    const below = t.bottom + GAP;
    const top = below + l.height > window.innerHeight - EDGE && t.top - GAP - l.height > EDGE ? t.top - GAP - l.height : below;
    const left = align === 'right' ? t.right - l.width : t.left;
    setPlace({ top, left: Math.max(EDGE, Math.min(left, window.innerWidth - l.width - EDGE)) });
  }, [open, align]);

  useEffect(() => {
    if (!open) return;
    const inside = (n: EventTarget | null) => n instanceof Node && (root.current?.contains(n) || list.current?.contains(n));
    const onDown = (e: PointerEvent) => {
      if (!inside(e.target)) setOpen(false);
    };
    // the list stays where it was put: anything that moves the trigger closes it
    const onMove = (e: Event) => {
      if (!inside(e.target)) setOpen(false);
    };
    const close = () => setOpen(false);
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('wheel', onMove, { capture: true, passive: true });
    document.addEventListener('scroll', onMove, true);
    window.addEventListener('resize', close);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      document.removeEventListener('wheel', onMove, true);
      document.removeEventListener('scroll', onMove, true);
      window.removeEventListener('resize', close);
    };
  }, [open]);

  // once placed (a hidden list cannot take focus), the first item has it
  useEffect(() => {
    if (open && place) list.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus({ preventScroll: true });
  }, [open, place]);

  // keys pressed in the list reach here too: React events bubble out of a portal to its owner
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (!open) return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button:not([disabled])') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      buttons[(at + 1) % buttons.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      buttons[(at - 1 + buttons.length) % buttons.length]?.focus();
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div ref={root} className={`menu nodrag nopan ${className ?? ''}${open ? ' open' : ''}`} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        className="icon-btn"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={(e) => {
          e.stopPropagation();
          setOpen((o) => !o);
        }}
      >
        {trigger}
      </button>
      {open &&
        createPortal(
          <div
            ref={list}
            id={id}
            role="menu"
            className="menu-list"
            aria-label={label}
            // measured first (hidden), then placed
            style={place ?? { top: 0, left: 0, visibility: 'hidden' }}
          >
            {items.map((item) => (
              <button
                key={item.label}
                type="button"
                role="menuitem"
                className={item.danger ? 'menu-item danger' : 'menu-item'}
                disabled={item.disabled}
                onClick={(e) => {
                  e.stopPropagation();
                  setOpen(false);
                  item.onSelect();
                }}
              >
                {item.icon}
                <span>{item.label}</span>
              </button>
            ))}
          </div>,
          document.body,
        )}
    </div>
  );
}
