/**
 * Frontmatter of `content/policies/<policy-id>/<ja|en>.mdx`: a policy staff read and acknowledge
 * (the company's AI usage policy, and any other). Shared by `src/content.config.ts` (Astro's
 * loader) and the build-time check (`read-policies.ts`), so both read a policy the same way.
 *
 * The folder name is the policy's id, forever: acknowledgements are stored against it and its
 * version. Both languages must agree on `version`, `effective`, `audience` and `required`.
 */
import { z } from 'astro/zod';
import { DaySchema as Day } from '../../platform/input/day.ts';
import { ROLES } from '../users/roles.ts';

const Text = z.string().trim().min(1);

/**
 * Who the policy asks: `all` (every active user), or the users with one of `roles` **or** in one
 * of `departments` (department names as in the admin's user list, compared without case).
 */
export const PolicyAudienceSchema = z.union([
  z.literal('all'),
  z
    .strictObject({
      /** Roles the policy applies to, e.g. `[champion, admin]`. */
      roles: z.array(z.enum(ROLES)).default([]),
      /** Department names the policy applies to, e.g. `[営業部, 人事部]`. */
      departments: z.array(Text.max(100)).default([]),
    })
    .refine((a) => a.roles.length + a.departments.length > 0, 'name at least one role or department, or write "audience: all"'),
]);

export const PolicySchema = z.strictObject({
  /** Title in the file's language, e.g. 「生成AI利用ポリシー」. */
  title: Text.max(200),
  /**
   * Version number, 1 and up; the same in both languages. Raise it for every change staff must
   * know about: everyone the policy applies to is asked to acknowledge the new version.
   * Typo fixes that change nothing for readers keep the number.
   */
  version: z.number().int().min(1).max(10_000),
  /** The day this version takes effect (`YYYY-MM-DD`), shown to readers; it may lie ahead. */
  effective: Day,
  /** Who must read it: `all`, or `{ roles: [...], departments: [...] }`. */
  audience: PolicyAudienceSchema,
  /** `true`: a banner on every page asks those it applies to until they acknowledge this version. */
  required: z.boolean(),
  /** One or two sentences on what the policy covers, shown above the text and in the banner's link. */
  summary: Text.max(500),
  /** What changed in this version, in a sentence or a few; shown to readers of a new version. */
  changes: Text.max(1000),
});

export type PolicyData = z.output<typeof PolicySchema>;
export type PolicyAudience = z.output<typeof PolicyAudienceSchema>;
