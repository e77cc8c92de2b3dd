/**
 * Admin actions on the programme: assignments, waves, help-desk inquiries, the KPI baseline.
 * Every handler checks the admin role itself and writes the audit log.
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { departments, ROLES, TARGET_KPIS, waves } from '../../db/schema.ts';
import { nameField, textField } from '../platform/input/text.ts';
import { TIER_IDS } from '../features/curriculum/schemas.ts';
import { createAssignment, deleteAssignment } from '../features/programme/assignments.server.ts';
import { audit } from '../features/audit/audit.server.ts';
import { getDb } from '../platform/db.server.ts';
import { saveInquiries } from '../features/programme/helpdesk.server.ts';
import { runImport } from '../features/users/import-runner.server.ts';
import { clientIp } from '../platform/http/request.server.ts';
import { setBaseline } from '../features/kpi/settings.server.ts';
import { deleteWave, saveWave } from '../features/programme/waves.server.ts';
import { HELPDESK_CSV_MAX_BYTES } from '../features/programme/helpdesk-csv.ts';
import { requireAdmin } from './guard.ts';

import { Day, Id, Month, OptionalId, readUpload, requireExisting } from './fields.ts';

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
    }),
    handler: (input, context) => {
      const actor = requireAdmin(context);
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
      const db = getDb();
      const id = db.transaction(
        (tx) => {
          if (target.kind === 'department') requireExisting(tx, departments, [target.departmentId], 'unknown_department');
          if (target.kind === 'wave') requireExisting(tx, waves, [target.waveId], 'unknown_wave');
          return createAssignment(tx, { tierId: input.tierId, target, due, createdBy: actor.id });
        },
        { behavior: 'immediate' },
      );
      audit(db, { actor, action: 'assignment.created', target: { type: 'assignment', id }, details: { tierId: input.tierId, target, due }, ip: clientIp(context) });
      return { id };
    },
  }),

  deleteAssignment: defineAction({
    accept: 'form',
    input: z.strictObject({ assignmentId: Id }),
    handler: ({ assignmentId }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      if (!deleteAssignment(db, assignmentId)) throw new ActionError({ code: 'NOT_FOUND', message: 'No such assignment.' });
      audit(db, { actor, action: 'assignment.deleted', target: { type: 'assignment', id: assignmentId }, ip: clientIp(context) });
      return { assignmentId };
    },
  }),

  saveWave: defineAction({
    accept: 'form',
    handler: (form: FormData, context) => {
      const actor = requireAdmin(context);
      const WaveForm = z.strictObject({
        waveId: z.union([z.literal(''), Id]).transform((v) => (v === '' ? null : v)),
        name: nameField('waveName', 100),
        position: z.coerce.number().int().min(0).max(1000),
        startDate: Day,
        endDate: Day,
        description: textField('description', 1000, { multiline: true }),
        departmentIds: z.array(Id).max(1000),
        targets: z.array(z.strictObject({ kpi: z.enum(TARGET_KPIS), comparator: z.enum(['gte', 'lte']), value: z.number().min(0).max(1_000_000) })).max(TARGET_KPIS.length),
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
          const number = Number(value);
          // Rates are entered as percentages and stored as fractions.
          const stored = ['usage_rate', 'basic_completion', 'applied_completion', 'specialist_completion', 'quiz_pass_rate'].includes(kpi) ? number / 100 : number;
          return [{ kpi, comparator: kpi === 'helpdesk_inquiries' ? ('lte' as const) : ('gte' as const), value: stored }];
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
      const db = getDb();
      const id = db.transaction(
        (tx) => {
          if (input.waveId !== null) requireExisting(tx, waves, [input.waveId], 'No such wave.', 'NOT_FOUND');
          requireExisting(tx, departments, input.departmentIds, 'unknown_department');
          // A department listed twice is one department (the form's checkboxes cannot repeat one; a forged form can).
          return saveWave(tx, { ...input, departmentIds: [...new Set(input.departmentIds)], description: input.description || null }, input.waveId);
        },
        { behavior: 'immediate' },
      );
      audit(db, { actor, action: input.waveId ? 'wave.updated' : 'wave.created', target: { type: 'wave', id }, details: { name: input.name, departments: input.departmentIds.length, targets: input.targets }, ip: clientIp(context) });
      return { waveId: id };
    },
  }),

  deleteWave: defineAction({
    accept: 'form',
    input: z.strictObject({ waveId: Id }),
    handler: ({ waveId }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      if (!db.transaction((tx) => deleteWave(tx, waveId), { behavior: 'immediate' })) throw new ActionError({ code: 'NOT_FOUND', message: 'No such wave.' });
      audit(db, { actor, action: 'wave.deleted', target: { type: 'wave', id: waveId }, ip: clientIp(context) });
      return { waveId };
    },
  }),

  saveInquiries: defineAction({
    accept: 'form',
    input: z.strictObject({ month: Month, departmentId: OptionalId, count: z.coerce.number().int().min(0).max(10_000_000) }),
    handler: ({ month, departmentId: rawDepartment, count }, context) => {
      const departmentId = rawDepartment ?? null;
      const actor = requireAdmin(context);
      const db = getDb();
      if (departmentId !== null) requireExisting(db, departments, [departmentId], 'unknown_department');
      saveInquiries(db, { month, departmentId, count, updatedBy: actor.id });
      audit(db, { actor, action: 'helpdesk.saved', details: { month, departmentId, count }, ip: clientIp(context) });
      return { month };
    },
  }),

  importInquiries: defineAction({
    accept: 'form',
    input: z.strictObject({ file: z.instanceof(File) }),
    handler: async ({ file }, context) => {
      const actor = requireAdmin(context);
      const bytes = await readUpload(file, HELPDESK_CSV_MAX_BYTES);
      return runImport({ kind: 'helpdesk', databaseFile: getDb().$client.name, bytes, options: { actor: { id: actor.id, email: actor.email }, ip: clientIp(context), fileName: file.name } });
    },
  }),

  saveBaseline: defineAction({
    accept: 'form',
    input: z.strictObject({ from: Month, to: Month }).refine((v) => v.from <= v.to, 'from_after_to'),
    handler: ({ from, to }, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      setBaseline(db, { from, to });
      audit(db, { actor, action: 'baseline.saved', details: { from, to }, ip: clientIp(context) });
      return { from, to };
    },
  }),
};
