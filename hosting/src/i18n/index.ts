import { effect, signal } from '@preact/signals';
import { en } from './en.ts';
import { type Dictionary, type MessageKey, th } from './th.ts';

export type Language = 'th' | 'en';
export type { MessageKey };

const STORAGE_KEY = 'esp32cloud.lang';
const dictionaries: Record<Language, Dictionary> = { th, en };

function storedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'th';
  } catch {
    return 'th';
  }
}

/** The UI language; Thai unless the user switched (the choice persists in localStorage). */
export const language = signal<Language>(storedLanguage());

effect(() => {
  document.documentElement.lang = language.value;
  try {
    localStorage.setItem(STORAGE_KEY, language.value);
  } catch {
    // private mode: the choice lasts for this page only
  }
});

export function toggleLanguage(): void {
  language.value = language.value === 'th' ? 'en' : 'th';
}

type Params = Record<string, string | number>;

function format(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A UI string in the current language; reading `language` makes the calling component follow switches. */
export function t(key: MessageKey, params?: Params): string {
  return format(dictionaries[language.value][key] ?? key, params);
}

/**
 * The `t` of a part of the app that loads on demand: its strings (both languages, same keys) travel in its own
 * chunk instead of the first page's.
 */
export function lazyMessages<K extends string>(messages: Record<Language, Record<K, string>>) {
  return (key: K, params?: Params): string => format(messages[language.value][key] ?? key, params);
}
