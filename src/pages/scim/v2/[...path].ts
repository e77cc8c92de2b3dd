/**
 * SCIM 2.0 provisioning (issue 19, src/features/scim/README.md): every method, every resource;
 * the bearer token is checked by the handler, never a session (src/platform/http/pipeline.server.ts).
 */
import type { APIRoute } from 'astro';
import { handleScim } from '../../../features/scim/http.server.ts';

export const ALL: APIRoute = (context) => handleScim(context.locals.db, context.request, context.params.path ?? '');
