/**
 * `defineAction` with two rules added for every action: a feature's `Refusal` is answered as an
 * ActionError with its code and message; a storage fault (full disk, read-only
 * or unopenable database; see src/platform/storage-errors.server.ts) becomes a 503
 * `storage.unavailable` error instead of a 500, and the request is marked so the page says
 * "temporarily unavailable, your input was not saved" and keeps what was typed; any other fault
 * is logged and answered with a plain sentence, never the error's own message.
 */
import { ActionError, defineAction as astroDefineAction, type ActionAPIContext } from 'astro:actions';
import { isStorageUnavailable, reportStorageFailure, storageErrorCode } from '../platform/storage-errors.server.ts';
import { logger } from '../platform/log.server.ts';
import { translator } from '../platform/i18n/index.ts';
import { Refusal } from '../platform/refusal.ts';
import type { z } from 'astro/zod';
import type { FormActionDefinition } from './forms/definition.ts';

export const STORAGE_UNAVAILABLE = 'storage.unavailable';

type Handler = (input: unknown, context: ActionAPIContext) => unknown;

export const defineAction: typeof astroDefineAction = ((config: { handler: Handler }) => {
  const handler: Handler = async (input, context) => {
    try {
      return await config.handler(input, context);
    } catch (error) {
      // A feature's refusal (src/platform/refusal.ts) is the action's answer, as if the action had thrown it.
      if (error instanceof Refusal) throw new ActionError({ code: error.code, message: error.message });
      if (error instanceof ActionError) throw error;
      if (!isStorageUnavailable(error)) {
        // Astro would hand the error's own message (SQL, file paths) to the page that shows the
        // form's result: logged here with the request, a plain sentence in the reader's language there.
        logger.error({ err: error, route: context.url.pathname.slice(0, 200) }, 'action failed');
        throw new ActionError({ code: 'INTERNAL_SERVER_ERROR', message: translator(context.locals.locale ?? 'ja')('action.failed') });
      }
      reportStorageFailure();
      logger.error({ code: storageErrorCode(error), route: context.url.pathname.slice(0, 200) }, 'write refused: storage unavailable');
      context.locals.storageUnavailable = true;
      throw new ActionError({ code: 'SERVICE_UNAVAILABLE', message: STORAGE_UNAVAILABLE });
    }
  };
  return astroDefineAction({ ...config, handler } as never);
}) as never;

/** A form action from its definition (src/actions/forms/): Astro parses the input, `run` does the rest. */
export function formAction<Input, Output>(definition: FormActionDefinition<Input, Output>): ReturnType<typeof astroDefineAction<Output, 'form', z.ZodType<Input>>> {
  const handler = (input: Input, context: ActionAPIContext): Promise<Output> =>
    definition.run(input, { user: context.locals.user, db: context.locals.db, locale: context.locals.locale });
  const config = definition.input ? { accept: 'form' as const, input: definition.input, handler } : { accept: 'form' as const, handler };
  return defineAction(config as never) as never;
}
