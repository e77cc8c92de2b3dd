/** Starts single sign-on: a POST from the sign-in page's button, answered with a redirect to the provider. */
import type { APIRoute } from 'astro';
import { z } from 'astro/zod';
import { LOCALES } from '../../platform/i18n/locales.ts';
import { localePath } from '../../platform/i18n/paths.ts';
import { getConfig } from '../../platform/config.server.ts';
import { logger, requestIdOf } from '../../platform/log.server.ts';
import { beginSignIn, saveFlow } from '../../features/auth/oidc.server.ts';

const Form = z.strictObject({
  next: z.string().max(2048).optional(),
  locale: z.enum(LOCALES).default('ja'),
});

export const POST: APIRoute = async (context) => {
  const { oidc } = getConfig();
  if (!oidc) return new Response(null, { status: 404 });
  const form = await context.request.formData().catch(() => null);
  const parsed = Form.safeParse(form ? Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string')) : {});
  if (!parsed.success) return new Response('Bad request.', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const { next, locale } = parsed.data;
  try {
    const { url, flow } = await beginSignIn(oidc, next ?? null, locale);
    saveFlow(context.cookies, context.url, flow);
    return context.redirect(url.href, 303);
  } catch (error) {
    logger.error({ requestId: requestIdOf(context.request), err: error }, 'single sign-on could not start');
    return context.redirect(`${localePath(locale, '/login')}?sso=unavailable`, 303);
  }
};
