import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { BusyError, ConfirmationRequiredError, ConflictError, DeliveryError, NotFoundError, PublishError, StateError, ValidationError } from '../../admin/errors.ts';
import type { Logger } from '../../lib/logger.ts';

/**
 * The web channel's one catch: domain errors become status codes here (the use cases know
 * nothing of HTTP); anything unexpected is logged and answered with a generic Chinese message.
 */
export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof ValidationError) return c.json({ error: error.message, issues: error.issues }, 422);
    if (error instanceof ConflictError) {
      return c.json({ error: error.message, conflict: true, currentRevision: error.currentRevision ?? null }, 409);
    }
    if (error instanceof ConfirmationRequiredError) {
      return c.json({ error: error.message, confirm: { phrase: error.phrase }, dangers: error.dangers }, 409);
    }
    if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
    if (error instanceof StateError) return c.json({ error: error.message }, 400);
    if (error instanceof BusyError) {
      c.header('Retry-After', String(error.retryAfterSeconds));
      return c.json({ error: error.message }, 503);
    }
    if (error instanceof DeliveryError) {
      logger.warn('message not delivered to a citizen', { error });
      return c.json({ error: error.message }, 502);
    }
    if (error instanceof PublishError) {
      // Our fault, not the request's, but the admin must see what happened to the files.
      logger.error('publish failed', { error });
      return c.json({ error: error.message }, 500);
    }
    if (error instanceof HTTPException) {
      if (error.res) return error.res;
      return c.json({ error: error.message || '请求有误' }, error.status);
    }
    logger.error('web request failed', { method: c.req.method, path: c.req.path, error });
    return c.json({ error: '系统暂时出错，请稍后再试；紧急法律咨询请拨打12348。' }, 500);
  };
}

/** Throws a 400 with a Chinese message (bad input the client should have caught). */
export function badRequest(message: string): never {
  throw new HTTPException(400, { message });
}
