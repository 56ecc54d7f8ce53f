import type { Intent } from '../knowledge/schema.ts';

/**
 * Keyword and pattern rules from the intent files. Override rules (emergency, asking for a
 * person) beat any classifier score; normal rules are strong evidence the classifier weighs.
 * Rules are data: admins add a keyword in YAML, never in code.
 */

export interface RuleHit {
  intent: string;
  priority: 'normal' | 'override';
  /** The keyword or pattern that matched. */
  match: string;
  /** A regular expression (written to be precise) rather than a plain keyword. */
  byPattern: boolean;
}

interface CompiledRule {
  intent: string;
  priority: 'normal' | 'override';
  keywords: string[];
  patterns: RegExp[];
}

export interface RuleSet {
  /** All hits, override first, then the longest (most specific) match. */
  match(normalizedText: string): RuleHit[];
}

export function compileRules(intents: readonly Intent[]): RuleSet {
  const rules: CompiledRule[] = intents
    .filter((intent) => intent.keywords.length > 0 || intent.patterns.length > 0)
    .map((intent) => ({
      intent: intent.name,
      priority: intent.priority,
      keywords: intent.keywords.map((keyword) => keyword.toLowerCase()),
      // Patterns were validated at load (lint); `u` so they work on Chinese characters.
      patterns: intent.patterns.map((pattern) => new RegExp(pattern, 'u')),
    }));
  return {
    match(text) {
      const hits: RuleHit[] = [];
      for (const rule of rules) {
        // The longest keyword that occurs (no arrays built: this runs for every message).
        let keyword: string | undefined;
        for (const k of rule.keywords) if ((keyword === undefined || k.length > keyword.length) && text.includes(k)) keyword = k;
        const pattern = keyword ? undefined : rule.patterns.find((p) => p.test(text));
        const match = keyword ?? (pattern ? (text.match(pattern)?.[0] ?? pattern.source) : undefined);
        if (match !== undefined) hits.push({ intent: rule.intent, priority: rule.priority, match, byPattern: keyword === undefined });
      }
      return hits.sort(
        (a, b) =>
          Number(b.priority === 'override') - Number(a.priority === 'override') ||
          b.match.length - a.match.length,
      );
    },
  };
}
