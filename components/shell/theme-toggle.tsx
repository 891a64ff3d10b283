'use client';
// The light/dark switch in the app bar: System → Light → Dark. The choice is remembered; "System"
// follows the operating system as it changes.
import { useEffect } from 'react';
import { nextThemeChoice, useTheme, type ThemeChoice } from '@/lib/client/theme';

const LABEL: Record<ThemeChoice, string> = { system: 'system', light: 'light', dark: 'dark' };

export function ThemeToggle() {
  const choice = useTheme((s) => s.choice);
  const set = useTheme((s) => s.set);
  useEffect(() => useTheme.getState().init(), []);
  const next = nextThemeChoice(choice);
  return (
    <button
      type="button"
      className="icon-btn theme-toggle"
      aria-label={`Theme: ${LABEL[choice]}. Switch to ${LABEL[next]}`}
      title={`Theme: ${LABEL[choice]} (click for ${LABEL[next]})`}
      data-choice={choice}
      onClick={() => set(next)}
    >
      <ThemeIcon choice={choice} />
    </button>
  );
}

function ThemeIcon({ choice }: { choice: ThemeChoice }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {choice === 'light' ? (
        <>
          <circle cx="8" cy="8" r="3" />
          <path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1.1 1.1M11.5 11.5l1.1 1.1M3.4 12.6l1.1-1.1M11.5 4.5l1.1-1.1" />
        </>
      ) : choice === 'dark' ? (
        <path d="M13.2 9.6A5.5 5.5 0 0 1 6.4 2.8a5.5 5.5 0 1 0 6.8 6.8z" />
      ) : (
        <>
          {/* half light, half dark: the system decides */}
          <circle cx="8" cy="8" r="5.5" />
          <path d="M8 2.5v11a5.5 5.5 0 0 0 0-11z" fill="currentColor" />
        </>
      )}
    </svg>
  );
}
