import { describe, expect, it } from 'vitest';
import { nextThemeChoice, parseThemeChoice, resolveTheme, THEME_KEY, THEME_SCRIPT } from './theme';

describe('colour theme', () => {
  it('follows the system unless the user picked one', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('reads a stored choice, anything else is the system', () => {
    expect(parseThemeChoice('dark')).toBe('dark');
    expect(parseThemeChoice(null)).toBe('system');
    expect(parseThemeChoice('purple')).toBe('system');
  });

  it('steps system → light → dark → system', () => {
    expect(nextThemeChoice('system')).toBe('light');
    expect(nextThemeChoice('light')).toBe('dark');
    expect(nextThemeChoice('dark')).toBe('system');
  });

  it('the head script applies the same rule before the first paint', () => {
    for (const [stored, systemIsDark, want] of [
      ['dark', false, 'dark'],
      ['light', true, 'light'],
      [null, true, 'dark'],
      [null, false, 'light'],
    ] as const) {
      const root = { dataset: {} as Record<string, string> };
      const env = {
        localStorage: { getItem: (k: string) => (k === THEME_KEY ? stored : null) },
        window: { matchMedia: () => ({ matches: systemIsDark }) },
        document: { documentElement: root },
      };
      new Function('localStorage', 'window', 'document', THEME_SCRIPT)(env.localStorage, env.window, env.document);
      expect(root.dataset.theme).toBe(want);
    }
  });
});
