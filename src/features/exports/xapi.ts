/**
 * xAPI 1.0.3 statements from Manabi's records, and the strict schema they must meet
 * (../shared/BRIEF.md, "xAPI 1.0.3"): stable UUID ids derived from the record (so re-export
 * is idempotent), an account actor with an opaque id, ADL verbs and activity types, ISO 8601
 * timestamps with milliseconds and zone, no nulls, no unknown keys.
 */
import { z } from 'astro/zod';
import { v5 as uuidv5 } from 'uuid';
import { nowMs } from '../../platform/clock.ts';

export const XAPI_VERSION = '1.0.3';
const VERBS = 'http://adlnet.gov/expapi/verbs/';
const TYPES = 'http://adlnet.gov/expapi/activities/';

export type Verb = 'completed' | 'passed' | 'failed' | 'answered' | 'experienced' | 'accepted';
export type ActivityType = 'course' | 'lesson' | 'assessment' | 'question' | 'document';

const VERB_IRIS: Record<Verb, string> = {
  completed: `${VERBS}completed`,
  passed: `${VERBS}passed`,
  failed: `${VERBS}failed`,
  answered: `${VERBS}answered`,
  experienced: `${VERBS}experienced`,
  // A policy acknowledgement. ADL's verbs have none for acceptance or attestation; this is the
  // Activity Streams 1.0 verb "accept" (activitystrea.ms/specs/json/schema/activity-schema.html),
  // registered in the xAPI Registry as "accepted": "the actor has accepted the object, for
  // instance a person accepting an award, or accepting an assignment"
  // (https://registry.tincanapi.com/#home/verbs).
  accepted: 'http://activitystrea.ms/schema/1.0/accept',
};

const TYPE_IRIS: Record<ActivityType, string> = {
  course: `${TYPES}course`,
  lesson: `${TYPES}lesson`,
  assessment: `${TYPES}assessment`,
  question: `${TYPES}question`,
  // A policy (one version of it): the xAPI Registry's "document" activity type
  // (https://registry.tincanapi.com/#home/activityTypes).
  document: 'http://id.tincanapi.com/activitytype/document',
};

const LanguageMap = z.record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/), z.string().min(1));
const Iri = z.url();

export const StatementSchema = z.strictObject({
  id: z.uuid(),
  actor: z.strictObject({
    objectType: z.literal('Agent'),
    account: z.strictObject({ homePage: Iri, name: z.string().min(1) }),
  }),
  verb: z.strictObject({
    id: z.enum(Object.values(VERB_IRIS) as [string, ...string[]]),
    display: LanguageMap,
  }),
  object: z.strictObject({
    objectType: z.literal('Activity'),
    id: Iri,
    definition: z.strictObject({
      name: LanguageMap,
      type: z.enum(Object.values(TYPE_IRIS) as [string, ...string[]]),
    }),
  }),
  result: z
    .strictObject({
      score: z
        .strictObject({ scaled: z.number().min(0).max(1), raw: z.number(), min: z.number(), max: z.number() })
        .refine((s) => s.min <= s.raw && s.raw <= s.max, 'raw outside min..max')
        .optional(),
      success: z.boolean().optional(),
      completion: z.boolean().optional(),
      duration: z
        .string()
        .regex(/^PT\d+(\.\d{1,2})?S$/)
        .optional(),
    })
    .optional(),
  timestamp: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/, 'ISO 8601 with milliseconds and zone')
    .refine((t) => Date.parse(t) <= nowMs() + 1000, 'timestamp in the future'),
});

export type Statement = z.infer<typeof StatementSchema>;

const VERB_DISPLAY: Record<Verb, Record<string, string>> = {
  completed: { 'en-US': 'completed', 'ja-JP': '完了した' },
  passed: { 'en-US': 'passed', 'ja-JP': '合格した' },
  failed: { 'en-US': 'failed', 'ja-JP': '不合格だった' },
  answered: { 'en-US': 'answered', 'ja-JP': '解答した' },
  experienced: { 'en-US': 'experienced', 'ja-JP': '閲覧した' },
  accepted: { 'en-US': 'accepted', 'ja-JP': '確認し同意した' },
};

export interface XapiContext {
  /** The site's public origin, e.g. https://manabi.example.co.jp — the actor's homePage and the base of activity IRIs. */
  siteUrl: string;
}

/** Ids are UUID v5 of the record key in a namespace of this site: the same record always gets the same id. */
export function statementId(siteUrl: string, recordKey: string): string {
  return uuidv5(recordKey, uuidv5(siteUrl, uuidv5.URL));
}

export interface ActivityRef {
  type: ActivityType;
  /** Path under /xapi/activities, e.g. `lesson/prompt-basics`. */
  path: string;
  name: { ja?: string | undefined; en?: string | undefined };
}

function languageMap(name: ActivityRef['name']): Record<string, string> {
  const map: Record<string, string> = {};
  if (name.ja) map['ja-JP'] = name.ja;
  if (name.en) map['en-US'] = name.en;
  return map;
}

export function buildStatement(
  ctx: XapiContext,
  input: {
    recordKey: string;
    actorId: string;
    verb: Verb;
    activity: ActivityRef;
    at: Date;
    result?: Statement['result'];
  },
): Statement {
  const base = ctx.siteUrl.replace(/\/$/, '');
  const statement: Statement = {
    id: statementId(ctx.siteUrl, input.recordKey),
    actor: { objectType: 'Agent', account: { homePage: base, name: input.actorId } },
    verb: { id: VERB_IRIS[input.verb], display: VERB_DISPLAY[input.verb] },
    object: {
      objectType: 'Activity',
      id: `${base}/xapi/activities/${input.activity.path}`,
      definition: { name: languageMap(input.activity.name), type: TYPE_IRIS[input.activity.type] },
    },
    timestamp: input.at.toISOString(),
  };
  if (input.result) statement.result = input.result;
  return statement;
}

/** ISO 8601 duration in seconds with at most two decimals. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 10) / 100);
  return `PT${seconds}S`;
}
