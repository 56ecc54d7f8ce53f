/**
 * One evaluation or batch question: what was asked and, when known, the expected topic, intent
 * and words the answer must contain. Shared by the eval sets, the staff batch and the publish
 * preview.
 */
export interface BenchQuestion {
  id: string;
  text: string;
  /** Expected topic; questions without one are answered but not scored. */
  topic?: string;
  intent?: string;
  mustContain?: string[];
}
