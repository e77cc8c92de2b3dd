/**
 * Admin actions on the programme: assignments, waves, help-desk inquiries, the KPI baseline.
 * Every handler checks the admin role itself; the feature writes the change and its audit row
 * in one write.
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { ROLES } from '../features/users/roles.ts';
import { nameField, textField } from '../platform/input/text.ts';
import { TIER_IDS } from '../features/curriculum/schemas.ts';
import { createAssignment, deleteAssignment, VALID_FOR_MONTHS_MAX, VALID_FOR_MONTHS_MIN } from '../features/programme/assignments.server.ts';
import { saveInquiries } from '../features/programme/helpdesk.server.ts';
import { importInquiries } from '../features/programme/helpdesk-import.server.ts';
import { setBaseline } from '../features/kpi/settings.server.ts';
import { COMPARATORS, TARGET_KPIS } from '../features/kpi/kpi.ts';
import { targetFromForm } from '../features/kpi/targets.ts';
import { deleteWave, saveWave } from '../features/programme/waves.server.ts';
import { HELPDESK_CSV_MAX_BYTES } from '../features/programme/helpdesk-csv.ts';
import { requireAdminCaller } from './guard.ts';

import { Day, Id, Month, OptionalId, readUpload } from './fields.ts';

/** The optional renewal override: empty is none (null), whole months 1–60 (full-width digits too), anything else undefined. */
function parseValidForMonths(raw: string | undefined): number | null | undefined {
  const value = (raw ?? '').normalize('NFKC').trim();
  if (value === '') return null;
  if (!/^\d{1,2}$/.test(value)) return undefined;
  const months = Number(value);
  return months >= VALID_FOR_MONTHS_MIN && months <= VALID_FOR_MONTHS_MAX ? months : undefined;
}

export const adminProgramme = {
  createAssignment: defineAction({
    accept: 'form',
    input: z.strictObject({
      tierId: z.enum(TIER_IDS),
      target: z.enum(['everyone', 'role', 'department', 'wave']),
      role: z.union([z.literal(''), z.enum(ROLES)]).optional(),
      departmentId: OptionalId.optional(),
      waveId: OptionalId.optional(),
      dueKind: z.enum(['none', 'date', 'days']),
      dueDate: z.union([z.literal(''), Day]).optional(),
      dueDays: z.union([z.literal(''), z.coerce.number().int().min(1).max(730)]).optional(),
      // Checked in the handler, so a bad value gets its own message (not a generic input error).
      validForMonths: z.string().max(20).optional(),
    }),
    handler: async (input, context) => {
      const caller = requireAdminCaller(context);
      const target =
        input.target === 'everyone'
          ? ({ kind: 'everyone' } as const)
          : input.target === 'role' && input.role
            ? ({ kind: 'role', role: input.role } as const)
            : input.target === 'department' && input.departmentId
              ? ({ kind: 'department', departmentId: input.departmentId } as const)
              : input.target === 'wave' && input.waveId
                ? ({ kind: 'wave', waveId: input.waveId } as const)
                : null;
      if (!target) throw new ActionError({ code: 'BAD_REQUEST', message: 'target_missing' });
      const due =
        input.dueKind === 'none'
          ? ({ kind: 'none' } as const)
          : input.dueKind === 'date' && input.dueDate
            ? ({ kind: 'date', date: input.dueDate } as const)
            : input.dueKind === 'days' && typeof input.dueDays === 'number'
              ? ({ kind: 'days', days: input.dueDays } as const)
              : null;
      if (!due) throw new ActionError({ code: 'BAD_REQUEST', message: 'due_missing' });
      const validForMonths = parseValidForMonths(input.validForMonths);
      if (validForMonths === undefined) throw new ActionError({ code: 'BAD_REQUEST', message: 'assign.validForMonthsInvalid' });
      const id = await createAssignment(context.locals.db, { tierId: input.tierId, target, due, validForMonths, createdBy: caller.actor.id }, caller);
      return { id };
    },
  }),

  deleteAssignment: defineAction({
    accept: 'form',
    input: z.strictObject({ assignmentId: Id }),
    handler: async ({ assignmentId }, context) => {
      const caller = requireAdminCaller(context);
      if (!(await deleteAssignment(context.locals.db, assignmentId, caller))) throw new ActionError({ code: 'NOT_FOUND', message: 'No such assignment.' });
      return { assignmentId };
    },
  }),

  saveWave: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const caller = requireAdminCaller(context);
      const WaveForm = z.strictObject({
        waveId: z.union([z.literal(''), Id]).transform((v) => (v === '' ? null : v)),
        name: nameField('waveName', 100),
        position: z.coerce.number().int().min(0).max(1000),
        startDate: Day,
        endDate: Day,
        description: textField('description', 1000, { multiline: true }),
        departmentIds: z.array(Id).max(1000),
        targets: z.array(z.strictObject({ kpi: z.enum(TARGET_KPIS), comparator: z.enum(COMPARATORS), value: z.number().min(0).max(1_000_000) })).max(TARGET_KPIS.length),
      });
      const raw = {
        waveId: form.get('waveId') ?? '',
        name: form.get('name'),
        position: form.get('position') ?? '0',
        startDate: form.get('startDate'),
        endDate: form.get('endDate'),
        description: form.get('description') ?? '',
        departmentIds: form.getAll('departmentIds').map(Number),
        targets: TARGET_KPIS.flatMap((kpi) => {
          const value = String(form.get(`target.${kpi}`) ?? '').trim();
          if (value === '') return [];
          // Rates are entered as percentages and stored as fractions.
          return [targetFromForm(kpi, Number(value))];
        }),
      };
      const known = new Set(['waveId', 'name', 'position', 'startDate', 'endDate', 'description', 'departmentIds', ...TARGET_KPIS.map((k) => `target.${k}`)]);
      if ([...form.keys()].some((key) => !known.has(key))) throw new ActionError({ code: 'BAD_REQUEST', message: 'unknown_field' });
      const parsed = WaveForm.safeParse(raw);
      // Hidden characters get their own message, naming the field; anything else is one generic refusal.
      const hidden = parsed.error?.issues.find((issue) => issue.message.startsWith('text.invisible.'))?.message;
      if (!parsed.success || parsed.data.targets.some((t) => !Number.isFinite(t.value))) throw new ActionError({ code: 'BAD_REQUEST', message: hidden ?? 'invalid_wave' });
      const input = parsed.data;
      if (input.endDate < input.startDate) throw new ActionError({ code: 'BAD_REQUEST', message: 'end_before_start' });
      const id = await saveWave(context.locals.db, { ...input, description: input.description || null }, { id: input.waveId, by: caller });
      return { waveId: id };
    },
  }),

  deleteWave: defineAction({
    accept: 'form',
    input: z.strictObject({ waveId: Id }),
    handler: async ({ waveId }, context) => {
      const caller = requireAdminCaller(context);
      if (!(await deleteWave(context.locals.db, waveId, caller))) throw new ActionError({ code: 'NOT_FOUND', message: 'No such wave.' });
      return { waveId };
    },
  }),

  saveInquiries: defineAction({
    accept: 'form',
    input: z.strictObject({ month: Month, departmentId: OptionalId, count: z.coerce.number().int().min(0).max(10_000_000) }),
    handler: async ({ month, departmentId: rawDepartment, count }, context) => {
      const caller = requireAdminCaller(context);
      await saveInquiries(context.locals.db, { month, departmentId: rawDepartment ?? null, count, updatedBy: caller.actor.id }, caller);
      return { month };
    },
  }),

  importInquiries: defineAction({
    accept: 'form',
    input: z.strictObject({ file: z.instanceof(File) }),
    handler: async ({ file }, context) => {
      const { actor, ip } = requireAdminCaller(context);
      const bytes = await readUpload(file, HELPDESK_CSV_MAX_BYTES);
      return importInquiries(bytes, { actor: { id: actor.id, email: actor.email }, ip, fileName: file.name });
    },
  }),

  saveBaseline: defineAction({
    accept: 'form',
    input: z.strictObject({ from: Month, to: Month }).refine((v) => v.from <= v.to, 'from_after_to'),
    handler: async ({ from, to }, context) => {
      const caller = requireAdminCaller(context);
      await setBaseline(context.locals.db, { from, to }, caller);
      return { from, to };
    },
  }),
};
