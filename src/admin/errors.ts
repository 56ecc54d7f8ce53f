import type { Issue } from '../lib/issues.ts';
import type { Danger } from './publish-guard.ts';

/**
 * Domain errors of the admin use cases. They carry context, never HTTP status codes: the web
 * adapter's `onError` maps them (see channels/web/errors.ts).
 */

export class NotFoundError extends Error {
  constructor(
    public readonly what: 'intent' | 'fact' | 'history' | 'exchange',
    public readonly id: string,
  ) {
    super(`${what} ${id} 不存在`);
    this.name = 'NotFoundError';
  }
}

/** Someone else saved the item since it was loaded; the caller must reload and redo. */
export class ConflictError extends Error {
  constructor(
    public readonly what: 'intent' | 'fact',
    public readonly id: string,
    public readonly currentRevision: string | undefined,
  ) {
    super(
      currentRevision === undefined
        ? `${id} 已被其他管理员删除`
        : `${id} 已被其他管理员修改，请重新加载后再保存`,
    );
    this.name = 'ConflictError';
  }
}

/** Data that fails the schema or the cross-file checks; nothing was written. */
export class ValidationError extends Error {
  constructor(
    public readonly issues: Issue[],
    message = '数据未通过校验，未保存',
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** A request the use case understands but refuses in the current state (e.g. nothing to publish). */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

/**
 * A publish that changes emergency handling, sent without the confirmation phrase (or confirmed
 * for an earlier state of the draft). Nothing was written.
 */
export class ConfirmationRequiredError extends Error {
  constructor(
    message: string,
    public readonly phrase: string,
    public readonly dangers: readonly Danger[],
  ) {
    super(message);
    this.name = 'ConfirmationRequiredError';
  }
}

/** The server is saving itself under load (e.g. too many password checks queued); try again soon. */
export class BusyError extends Error {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'BusyError';
  }
}

/** A message for a citizen could not be handed to their channel (Telegram refused or is off). */
export class DeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** Writing the knowledge files failed; the message says whether anything changed. */
export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/**
 * A multi-file write passed its commit point but not every file is in place yet (a rename
 * failed); the next load of the knowledge completes it from the journal.
 */
export class IncompleteWriteError extends Error {
  constructor(options: { cause: unknown }) {
    super(`文件已提交但未全部就位（${(options.cause as Error)?.message ?? String(options.cause)}），下次加载知识库时会自动完成`, options);
    this.name = 'IncompleteWriteError';
  }
}
