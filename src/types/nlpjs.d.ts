// NLP.js 4 ships no types. Only what the benchmark uses (scripts/bench.ts) is declared.
declare module '@nlpjs/core' {
  export function containerBootstrap(): Promise<{ use(plugin: unknown): void; get(name: 'nlp'): NlpJs }>;
  interface NlpJs {
    settings: { autoSave: boolean };
    addLanguage(language: string): void;
    addDocument(language: string, text: string, intent: string): void;
    train(): Promise<void>;
    process(language: string, text: string): Promise<{ intent: string; score: number }>;
  }
}
declare module '@nlpjs/nlp' {
  export const Nlp: unknown;
}
declare module '@nlpjs/lang-zh' {
  export const LangZh: unknown;
}
