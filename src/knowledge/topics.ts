/**
 * The fixed topic list (shared/topics.md is the contract). Evaluation, the staff tools and
 * analytics group by these, so an intent's name must start with one of them.
 */
export const TOPICS = [
  'hotline',
  'legal_aid',
  'ganfutong',
  'mediation',
  'reconsideration',
  'info_disclosure',
  'enforcement',
  'business',
  'legal_education',
  'environment',
  'report',
  'triage',
  'emergency',
  'handoff',
  'chitchat',
  'out_of_scope',
] as const;

export type Topic = (typeof TOPICS)[number];

/** Chinese labels for menus and tables. */
export const TOPIC_LABELS: Record<Topic, string> = {
  hotline: '12348热线与公共法律服务',
  legal_aid: '法律援助',
  ganfutong: '赣服通',
  mediation: '人民调解',
  reconsideration: '行政复议',
  info_disclosure: '政府信息公开',
  enforcement: '行政执法监督',
  business: '营商环境与企业法律服务',
  legal_education: '普法与法律明白人',
  environment: '生态环境',
  report: '2020年法治政府建设报告',
  triage: '我遇到了法律问题',
  emergency: '紧急求助',
  handoff: '转人工',
  chitchat: '闲聊',
  out_of_scope: '超出服务范围',
};

/** The intent a message gets when nothing is confident enough. */
export const NONE_INTENT = 'none';

const INTENT_NAME = /^([a-z_]+)\.([a-z0-9_]+)$/;

export function isTopic(value: string): value is Topic {
  return (TOPICS as readonly string[]).includes(value);
}

/** `legal_aid.how_to_apply` → `legal_aid`; `none` → `none`; a malformed name → undefined. */
export function topicOf(intent: string): Topic | 'none' | undefined {
  if (intent === NONE_INTENT) return 'none';
  const match = INTENT_NAME.exec(intent);
  if (!match) return undefined;
  const topic = match[1] ?? '';
  return isTopic(topic) ? topic : undefined;
}

export function isIntentName(value: string): boolean {
  return INTENT_NAME.test(value);
}
