// Document path patterns of Firestore triggers, as firebase-functions writes them: literal segments,
// {name} for one segment and {name=**} for any number (at the end). EXACT patterns are plain paths.

export type MatchType = 'EXACT' | 'PATH_PATTERN';

export interface DocumentPattern {
  segments: string[];
  matchType: MatchType;
}

export function parsePattern(value: string, matchType: MatchType): DocumentPattern {
  return { segments: value.split('/').filter((s) => s !== ''), matchType };
}

/** Whether a document path (relative to documents) fits the pattern. */
export function matchesPattern(pattern: DocumentPattern, path: string): boolean {
  const parts = path.split('/');
  if (pattern.matchType === 'EXACT') {
    return parts.length === pattern.segments.length && parts.every((p, i) => p === pattern.segments[i]);
  }
  const step = (k: number, i: number): boolean => {
    if (k === pattern.segments.length) return i === parts.length;
    const seg = pattern.segments[k]!;
    if (/^\{[^}=]+=\*\*\}$/.test(seg)) {
      for (let n = 0; i + n <= parts.length; n++) if (step(k + 1, i + n)) return true;
      return false;
    }
    if (i >= parts.length) return false;
    if (/^\{[^}]+\}$/.test(seg) || seg === '*') return step(k + 1, i + 1);
    return seg === parts[i] && step(k + 1, i + 1);
  };
  return step(0, 0);
}
