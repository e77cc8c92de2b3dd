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
export type ActivityType = 'course' | 'lesson' | 'assessment' | 'question' | 'document' | 'certificate';

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
  // A tier's certificate, earned once per renewal cycle: the xAPI Registry's "certificate" activity type.
  certificate: 'http://id.tincanapi.com/activitytype/certificate',
};

/** Manabi's context extensions, IRIs under SITE_URL (`<site>/xapi/extensions/<name>`). */
export type ExtensionName = 'cycle' | 'content-version' | 'valid-until';

const LanguageMap = z.record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/), z.string().min(1));
const Iri = z.url();
const Timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/, 'ISO 8601 with milliseconds and zone');

/** What each extension holds: the cycle a whole number from 1, the version a non-empty string, valid-until a timestamp. */
const EXTENSION_VALUES: Record<ExtensionName, z.ZodType> = {
  cycle: z.number().int().min(1),
  'content-version': z.string().min(1),
  'valid-until': Timestamp,
};

/** Keyed by IRI (`<site>/xapi/extensions/<name>`, any site): only Manabi's names, each with its kind of value. */
const Extensions = z.record(Iri, z.unknown()).superRefine((extensions, ctx) => {
  if (Object.keys(extensions).length === 0) ctx.addIssue({ code: 'custom', message: 'empty extensions' });
  for (const [iri, value] of Object.entries(extensions)) {
    const name = /\/xapi\/extensions\/([a-z-]+)$/.exec(iri)?.[1];
    const schema = name && Object.hasOwn(EXTENSION_VALUES, name) ? EXTENSION_VALUES[name as ExtensionName] : null;
    if (!schema) ctx.addIssue({ code: 'custom', message: `unknown extension ${iri}`, path: [iri] });
    else if (!schema.safeParse(value).success) ctx.addIssue({ code: 'custom', message: `bad value for ${iri}`, path: [iri] });
  }
});

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
  // Which renewal cycle and which content version the record belongs to, so an LRS can tell a
  // renewal's records from the first ones and a revised lesson's from the old version's.
  context: z.strictObject({ extensions: Extensions }).optional(),
  timestamp: Timestamp.refine((t) => Date.parse(t) <= nowMs() + 1000, 'timestamp in the future'),
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
    /** The record's cycle and content version ('' for records from before versions: left out). */
    context?: RecordContext;
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
  if (input.context) statement.context = { extensions: contextExtensions(base, input.context) };
  return statement;
}

export interface RecordContext {
  cycle: number;
  contentVersion?: string;
  /** A certificate's end; null: it never expires (left out). */
  validUntil?: Date | null;
}

/** The IRI of one of Manabi's extensions on this site. */
export function extensionIri(siteUrl: string, name: ExtensionName): string {
  return `${siteUrl.replace(/\/$/, '')}/xapi/extensions/${name}`;
}

function contextExtensions(base: string, context: RecordContext): Record<string, string | number> {
  const extensions: Record<string, string | number> = { [extensionIri(base, 'cycle')]: context.cycle };
  if (context.contentVersion) extensions[extensionIri(base, 'content-version')] = context.contentVersion;
  if (context.validUntil) extensions[extensionIri(base, 'valid-until')] = context.validUntil.toISOString();
  return extensions;
}

/** ISO 8601 duration in seconds with at most two decimals. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 10) / 100);
  return `PT${seconds}S`;
}
