// Light or dark: the system's by default, or one the user picked (a projector in a bright room),
// remembered in localStorage. The page's <head> runs THEME_SCRIPT before the first paint, so a
// stored choice never flashes the other theme; the store below changes it afterwards.
import { create } from 'zustand';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'warren.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function parseThemeChoice(v: unknown): ThemeChoice {
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** The order the toggle steps through. */
export function nextThemeChoice(choice: ThemeChoice): ThemeChoice {
  return choice === 'system' ? 'light' : choice === 'light' ? 'dark' : 'system';
}

/** Inline in <head>: the same rule as resolveTheme, before React or any CSS paints. */
export const THEME_SCRIPT = `(function(){try{var c=localStorage.getItem(${JSON.stringify(THEME_KEY)});var d=c==='dark'||(c!=='light'&&window.matchMedia(${JSON.stringify(DARK_QUERY)}).matches);document.documentElement.dataset.theme=d?'dark':'light';}catch(e){document.documentElement.dataset.theme='light';}})();`;

function systemDark(): boolean {
  return typeof window !== 'undefined' && window.matchMedia(DARK_QUERY).matches;
}

/**
 * Sets the theme with transitions off for the switch: buttons and fields transition their colours
 * (for hover), and a switch would animate them from the old theme's — a slow frame left a dialog's
 * Cancel button and its fields white in a dark dialog.
 */
function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  const theme = resolveTheme(choice, systemDark());
  if (root.dataset.theme === theme) return;
  root.dataset.themeSwitching = '';
  root.dataset.theme = theme;
  // a layout now computes every element's style without transitions; they come back for the next hover
  void root.offsetHeight;
  requestAnimationFrame(() => requestAnimationFrame(() => delete root.dataset.themeSwitching));
}

interface ThemeState {
  choice: ThemeChoice;
  /** reads the stored choice and follows the system while the choice is "system"; returns the unsubscribe */
  init(): () => void;
  set(choice: ThemeChoice): void;
}

export const useTheme = create<ThemeState>()((set, get) => ({
  choice: 'system',
  init() {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(THEME_KEY);
    } catch {
      /* private mode: the system's theme */
    }
    const choice = parseThemeChoice(stored);
    set({ choice });
    apply(choice);
    const media = window.matchMedia(DARK_QUERY);
    const onChange = () => {
      if (get().choice === 'system') apply('system');
    };
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  },
  set(choice) {
    try {
      if (choice === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, choice);
    } catch {
      /* not remembered */
    }
    set({ choice });
    apply(choice);
  },
}));
