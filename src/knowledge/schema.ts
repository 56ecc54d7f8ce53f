import { z } from 'zod';

/**
 * Schemas for the data admins edit. Messages are Chinese because admins read them; field
 * paths in issues stay as the YAML/JSON keys so they can be found in the file.
 */

const nonEmpty = (what: string) => z.string().trim().min(1, `${what}不能为空`);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const intentName = z
  .string()
  .regex(/^[a-z_]+\.[a-z0-9_]+$/, '意图名应为 topic.aspect（小写英文与下划线）');

export const MIN_EXAMPLES = 12;

export const IntentAnswerSchema = z
  .object({
    /** Fact ids in data/facts/, in the order they are shown. */
    facts: z.array(nonEmpty('事实编号')).default([]),
    /**
     * What a citizen asked for that the store deliberately does not hold (an address, office
     * hours…). The reply says so and points to 12348 instead of guessing.
     */
    missing: z.string().trim().min(1).optional(),
    /**
     * Whom the `missing` note sends the citizen to: 12348 for a legal question (the default),
     * 12345 for a government service that is not legal (how to download 赣服通, an office's hours).
     */
    missingAsk: z.enum(['12348', '12345']).optional(),
    /** Starts a guided flow instead of answering once (the legal-aid self-check). */
    flow: z.enum(['legal_aid_check']).optional(),
  })
  .strict();

export const IntentSchema = z
  .object({
    name: intentName,
    /** Shown to staff and admins. */
    description: nonEmpty('说明'),
    /** How a citizen would ask for this; used as the label of follow-up buttons. */
    question: nonEmpty('问题标签'),
    /** `override` beats every classifier score when a keyword or pattern matches (emergency). */
    priority: z.enum(['normal', 'override']).default('normal'),
    /** Substrings of the normalised message that signal this intent reliably. */
    keywords: z.array(nonEmpty('关键词')).default([]),
    /** Regular expressions (JavaScript syntax) over the normalised message. */
    patterns: z.array(nonEmpty('正则')).default([]),
    examples: z.array(nonEmpty('例句')).min(MIN_EXAMPLES, `至少需要${MIN_EXAMPLES}条例句`),
    answer: IntentAnswerSchema,
    /** Intent names offered as follow-up questions under the answer (2–4 is best). */
    followups: z.array(intentName).max(4, '追问最多4条').default([]),
  })
  .strict();

export const IntentFileSchema = z
  .object({
    version: z.literal(1),
    topic: nonEmpty('topic'),
    intents: z.array(IntentSchema).min(1, '文件里至少要有一个意图'),
  })
  .strict();

export const SourceSchema = z
  .object({
    id: nonEmpty('来源编号'),
    /** Full title as a citizen would look it up. */
    title: nonEmpty('来源标题'),
    /** `self`: the bot describing itself (greetings, scope); such answers show no 来源 line. */
    kind: z.enum(['city_report', 'law', 'regulation', 'policy', 'public_notice', 'self']),
    /** Who issued it and when (free text, e.g. 全国人大常委会 2021-08-20 通过). */
    issued: z.string().trim().optional(),
  })
  .strict();

export const SourcesFileSchema = z
  .object({ version: z.literal(1), sources: z.array(SourceSchema) })
  .strict();

export const FactSchema = z
  .object({
    id: z.string().regex(/^[a-z_]+(\.[a-z0-9_]+)+$/, '事实编号应为 topic.xxx 形式'),
    topic: nonEmpty('topic'),
    /** Our own words, a few lines, leading with what to do. */
    text: nonEmpty('事实正文'),
    /** Every figure the text states, exactly as written in the text (checked). */
    figures: z.array(nonEmpty('数字')).default([]),
    source: z
      .object({
        id: nonEmpty('来源编号'),
        /** Section of the report or article of the law, e.g. 一(三)2 or 第三十一条. */
        section: nonEmpty('章节或条款'),
      })
      .strict(),
    /** city_2020: the city's figure for 2020 (dated); national: a rule that applies everywhere. */
    scope: z.enum(['city_2020', 'national', 'general']),
    asOf: isoDate,
    reviewBy: isoDate.optional(),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .strict();

export const FactFileSchema = z
  .object({ version: z.literal(1), topic: nonEmpty('topic'), facts: z.array(FactSchema) })
  .strict();

export const HomophonesSchema = z
  .object({
    version: z.literal(1),
    /** canonical term → the misspellings citizens type for it */
    terms: z.record(z.string().min(1), z.array(z.string().min(1))),
  })
  .strict();

export const AspectsSchema = z
  .object({
    version: z.literal(1),
    /**
     * aspect → cue words. An elliptical follow-up ("那要带什么材料？") with a cue for an aspect
     * the previous topic has is read as that topic's aspect.
     */
    aspects: z.record(z.string().regex(/^[a-z0-9_]+$/), z.array(z.string().min(1))),
    /** Words that name no matter of their own in a follow-up (要, 申请, 一般…). */
    fillers: z.array(z.string().min(1)).default([]),
    /**
     * topic → aspect → where a follow-up goes when `topic.aspect` is not an intent: another
     * aspect of the topic, or `same` (the previous answer again, which covers it).
     */
    routes: z.record(z.string(), z.record(z.string(), z.string().regex(/^[a-z0-9_]+$/))).default({}),
  })
  .strict();

const words = z.array(z.string().min(1)).default([]);

/** data/lexicon/danger.yaml: the words that say whether a danger cue is happening now. */
export const DangerLexiconSchema = z
  .object({
    version: z.literal(1),
    urgent: words,
    now: words,
    hypothetical: words,
    past: words,
    reported: words,
    legal: words,
  })
  .strict();

/** data/lexicon/bilingual.yaml: Chinese term → English words citizens mix in ("legal aid"). */
export const BilingualSchema = z
  .object({
    version: z.literal(1),
    terms: z.record(z.string().min(1), z.array(z.string().regex(/^[a-z][a-z' -]*$/, '只写小写英文单词或短语'))),
  })
  .strict();

const FlowChoiceSchema = z
  .object({
    value: z.string().regex(/^[a-z0-9_]+$/, '选项值应为小写英文、数字或下划线'),
    label: nonEmpty('选项文字'),
    /** Next step id, or… */
    next: z.string().optional(),
    /** …a result id that ends the flow. */
    result: z.string().optional(),
    /** Marks carried to the result (e.g. the means check is waived). */
    tag: z.string().optional(),
  })
  .strict()
  .refine((choice) => Boolean(choice.next) !== Boolean(choice.result), '每个选项要么有 next，要么有 result');

export const FlowSchema = z
  .object({
    version: z.literal(1),
    id: z.enum(['legal_aid_check']),
    intro: nonEmpty('开场说明'),
    start: nonEmpty('起始步骤'),
    steps: z.record(
      z.string(),
      z.object({ question: nonEmpty('问题'), choices: z.array(FlowChoiceSchema).min(2) }).strict(),
    ),
    results: z.record(
      z.string(),
      z
        .object({
          /** What is likely and why; the facts add the articles and where to apply. */
          text: nonEmpty('结果说明'),
          facts: z.array(nonEmpty('事实编号')).default([]),
        })
        .strict(),
    ),
    /** Extra sentence shown with any result when a tag was collected. */
    tagNotes: z.record(z.string(), nonEmpty('说明')).default({}),
    /** Always shown last: the office decides, 12348 for anything uncertain. */
    closing: nonEmpty('结尾提示'),
  })
  .strict();

export type Flow = z.infer<typeof FlowSchema>;
export type Intent = z.infer<typeof IntentSchema>;
export type IntentFile = z.infer<typeof IntentFileSchema>;
export type Fact = z.infer<typeof FactSchema>;
export type FactFile = z.infer<typeof FactFileSchema>;
export type Source = z.infer<typeof SourceSchema>;
export type Homophones = z.infer<typeof HomophonesSchema>;
export type Aspects = z.infer<typeof AspectsSchema>;
export type DangerLexiconFile = z.infer<typeof DangerLexiconSchema>;

/** Everything the engine is built from; loaded by adapters, validated as a whole. */
export interface KnowledgeBase {
  intents: Intent[];
  facts: Fact[];
  sources: Source[];
  homophones: Homophones['terms'];
  aspects: Aspects['aspects'];
  /** From aspects.yaml: follow-up filler words and per-topic routes (absent in older data). */
  followUps?: { fillers: string[]; routes: Aspects['routes'] };
  /** jieba user-dictionary words (word, optional freq, optional tag). */
  dictionary: string[];
  /** Guided flows by id (data/flows/*.yaml). */
  flows: Flow[];
  /** data/lexicon/danger.yaml without its version (absent: only emergency keywords count). */
  danger?: Omit<DangerLexiconFile, 'version'>;
  /** data/lexicon/bilingual.yaml terms (absent: English words are left as they are). */
  bilingual?: Record<string, string[]>;
}
