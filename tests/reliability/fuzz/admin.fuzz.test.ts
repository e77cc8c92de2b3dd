/**
 * Fuzzing src/actions/admin.ts: users, imports, assignments, waves, help desk, baseline, xAPI
 * (see harness.ts for what is sent and what must hold). Sent as the admin.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { TARGET_KPIS } from '../../../db/schema/index.ts';
import { NOTIFICATION_KINDS } from '../../../src/features/notifications/model.ts';
import { HELPDESK_CSV_MAX_BYTES } from '../../../src/features/programme/helpdesk-csv.ts';
import { USERS_CSV_MAX_BYTES } from '../../../src/features/users/users-csv.ts';
import type { Context } from './app.ts';
import { idText, nonexistentId } from './common.ts';
import { schemaMix, validFields } from './generate.ts';
import { fuzzFile, type ActionSpec } from './harness.ts';
import { enumValues, schemaOf } from './schema.ts';
import { send } from './send.ts';
import {
  anyName,
  anyText,
  bad,
  blank,
  brokenEnvelope,
  csvCell,
  csvFile,
  fieldsOf,
  good,
  notANumber,
  notMatching,
  overMax,
  randomFields,
  replaced,
  textUpTo,
  unknownName,
  without,
  type Body,
  type Field,
} from './values.ts';

const month = fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
const day = fc.tuple(month, fc.integer({ min: 1, max: 31 })).map(([m, d]) => `${m}-${String(d).padStart(2, '0')}`);
const role = fc.constantFrom('learner', 'champion', 'admin');
const departmentIdText = (ctx: Context): fc.Arbitrary<string> => fc.oneof(fc.constant(''), idText([ctx.departments.mine, ctx.departments.other]));
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const users: ActionSpec[] = [
  {
    name: 'admin.updateUser',
    as: 'admin',
    page: () => '/admin/users',
    bodies: (ctx) => {
      const valid = validFields('admin.updateUser', { userId: idText(ctx.victims), departmentId: departmentIdText(ctx) });
      return schemaMix('admin.updateUser', valid, [
        fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'userId', String(id)), 'handler', `unknown user ${id}`)),
        fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'departmentId', String(id)), 'handler', `unknown department ${id}`)),
        fc
          .tuple(valid, fc.constantFrom('learner', 'champion'))
          .map(([f, r]) => bad(replaced(replaced(f, 'userId', String(ctx.users.admin.id)), 'role', r), 'handler', 'demoting oneself')),
      ]);
    },
  },
  {
    name: 'admin.setActive',
    as: 'admin',
    page: () => '/admin/users',
    // A corpus value in userId can read as the deactivated fixture user ("8"): a success then
    // reactivates them, and later targets (createLoginLink) rely on them staying deactivated.
    afterSuccess: async (body, ctx) => {
      const named = body.fields.filter(([n]) => n === 'userId').map(([, v]) => (typeof v === 'string' ? Number(v) : Number.NaN));
      if (!named.includes(ctx.users.inactive.id)) return;
      const answer = await send(ctx.base, `${ctx.base}/_actions/admin.setActive`, ctx.cookies.admin, good(fieldsOf({ userId: String(ctx.users.inactive.id), active: 'false' })));
      expect(answer.status, 'the inactive fixture user deactivated again').toBe(200);
    },
    bodies: (ctx) => {
      const valid = validFields('admin.setActive', { userId: idText(ctx.victims) });
      return schemaMix('admin.setActive', valid, [
        fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'userId', String(id)), 'handler', `unknown user ${id}`)),
        fc.constant(bad(fieldsOf({ userId: String(ctx.users.admin.id), active: 'false' }), 'handler', 'deactivating oneself')),
      ]);
    },
  },
  {
    name: 'admin.createUser',
    as: 'admin',
    page: () => '/admin/users',
    bodies: (ctx) => {
      const valid = validFields('admin.createUser', {
        email: fc
          .tuple(fc.integer({ min: 0, max: 29 }), fc.constantFrom('', ' ', 'upper'))
          .map(([k, v]) => (v === 'upper' ? `NEW-${k}@EXAMPLE.COM` : `${v}new-${k}@example.com${v}`)),
        department: fc.oneof(fc.constantFrom(...ctx.departments.names), fc.constantFrom('新部署', 'R&D', 'Ünïcode 部')),
      });
      const existing = Object.values(ctx.users).map((u) => u.email);
      return schemaMix(
        'admin.createUser',
        valid,
        [fc.tuple(valid, fc.constantFrom(...existing), fc.boolean()).map(([f, e, upper]) => bad(replaced(f, 'email', upper ? e.toUpperCase() : e), 'handler', `taken email ${e}`))],
        {
          // Trimmed and checked by refinements JSON Schema has no form for.
          alsoInvalid: {
            email: fc.oneof(blank, fc.constantFrom('no-at-sign', 'two@@example.com', 'a b@example.com', 'x@nodot', '@example.com', 'x@.com', 'x@example.')),
            name: blank,
            department: blank,
          },
        },
      );
    },
  },
  {
    name: 'admin.createLoginLink',
    as: 'admin',
    page: () => '/admin/users',
    bodies: (ctx) =>
      schemaMix('admin.createLoginLink', validFields('admin.createLoginLink', { userId: idText(ctx.victims) }), [
        nonexistentId.map((id) => bad(fieldsOf({ userId: String(id) }), 'handler', `unknown user ${id}`)),
        fc.constant(bad(fieldsOf({ userId: String(ctx.users.inactive.id) }), 'handler', 'deactivated user')),
      ]),
  },
  {
    name: 'admin.importUsers',
    as: 'admin',
    page: () => '/admin/users',
    refusedData: (field) => field('ok') === false,
    bodies: (ctx) => {
      const header = 'email,name,department,role';
      const row = fc
        .record({
          k: fc.integer({ min: 0, max: 29 }),
          name: textUpTo(100, 1)
            .map((n) => n.trim())
            .filter((n) => n.length > 0 && [...n].length <= 100 && !n.includes('\uFFFD')),
          department: fc.constantFrom('営業部', '開発部', '新部署'),
          role,
        })
        .map((r) => [`imp-${r.k}@example.com`, r.name, r.department, r.role]);
      const rows = fc.uniqueArray(row, { minLength: 1, maxLength: 5, selector: (r) => r[0] });
      const csv = (lines: string[][], head = header) => [head, ...lines.map((l) => l.map(csvCell).join(','))].join('\n');
      const upload = (text: string | Uint8Array) => csvFile(text);
      const update = fc.option(fc.constant('on'), { nil: undefined });
      const valid = fc.tuple(rows, update).map(([r, u]) => fieldsOf({ file: upload(csv(r)), update: u }));
      const withRows = (why: string, change: (lines: string[][]) => string[][]) =>
        fc.tuple(rows, update).map(([r, u]) => bad(fieldsOf({ file: upload(csv(change(r))), update: u }), 'handler', why, true));
      const noEmail = fc
        .uint8Array({ minLength: 1, maxLength: 3000 })
        .filter((bytes) => !Buffer.from(bytes).toString('latin1').toLowerCase().includes('email') && !new TextDecoder().decode(bytes).toLowerCase().includes('email'));
      return schemaMix(
        'admin.importUsers',
        valid,
        [
          fc.tuple(rows, update).map(([r, u]) => bad(fieldsOf({ file: upload(csv(r, 'email,name,role')), update: u }), 'handler', 'missing column')),
          fc
            .tuple(
              rows,
              update,
              anyName.filter((n) => !['email', 'name', 'department', 'role'].includes(n.trim().toLowerCase()) && !/[",\r\n]/.test(n)),
            )
            .map(([r, u, extra]) =>
              bad(
                fieldsOf({
                  file: upload(
                    csv(
                      r.map((l) => [...l, 'x']),
                      `${header},${extra}`,
                    ),
                  ),
                  update: u,
                }),
                'handler',
                'unknown column',
                true,
              ),
            ),
          withRows('bad email', (r) => r.map((l, i) => (i === 0 ? ['not-an-email', ...l.slice(1)] : l))),
          withRows('unknown role', (r) => r.map((l, i) => (i === 0 ? [...l.slice(0, 3), 'superuser'] : l))),
          withRows('empty name', (r) => r.map((l, i) => (i === 0 ? [l[0]!, '', ...l.slice(2)] : l))),
          withRows('name too long', (r) => r.map((l, i) => (i === 0 ? [l[0]!, 'ñ'.repeat(101), ...l.slice(2)] : l))),
          withRows('wrong field count', (r) => r.map((l, i) => (i === 0 ? l.slice(0, 3) : l))),
          withRows('duplicate in file', (r) => [...r, r[0]!]),
          fc.tuple(rows, anyText).map(([r, junk]) => bad(fieldsOf({ file: upload(`${csv(r)}\n"unclosed${junk.replace(/"/g, '')}`) }), 'handler', 'unclosed quote', true)),
          fc.constant(bad(fieldsOf({ file: upload(csv([[ctx.users.learner.email, 'Taken', '営業部', 'learner']])) }), 'handler', 'existing user without update', true)),
          noEmail.map((bytes) => bad(fieldsOf({ file: upload(bytes) }), 'handler', 'binary garbage without an email column', true)),
          // An empty file, or now and then one over the size limit (5 MiB: kept rare).
          fc.oneof(
            { weight: 9, arbitrary: fc.constant(bad(fieldsOf({ file: upload('') }), 'handler', 'empty file', true)) },
            {
              weight: 1,
              arbitrary: fc.constant(
                bad(
                  fieldsOf({ file: upload(`${header}\n${'x@example.com,x,x,learner\n'.repeat(Math.ceil((USERS_CSV_MAX_BYTES + 10) / 24))}`) }),
                  'handler',
                  'file over the size limit',
                  true,
                ),
              ),
            },
          ),
        ],
        { multipart: true },
      );
    },
  },
  {
    name: 'admin.setManager',
    as: 'admin',
    page: (_body, ctx) => `/admin/users/${ctx.victims[0]}`,
    bodies: (ctx) => {
      const victim = fc.integer({ min: 0, max: ctx.victims.length - 1 });
      const email = (i: number) => `fuzz-victim${i}@example.com`;
      // Another victim, the admin, or nobody (blank clears): may be accepted, or refused as a cycle the earlier bodies made.
      const manager = fc.oneof(
        fc.constant(''),
        blank,
        fc.tuple(victim, fc.boolean()).map(([i, upper]) => (upper ? email(i).toUpperCase() : ` ${email(i)} `)),
        fc.constant(ctx.users.admin.email),
      );
      const valid = validFields('admin.setManager', { userId: idText(ctx.victims), managerEmail: manager });
      return schemaMix(
        'admin.setManager',
        valid,
        [
          fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'userId', String(id)), 'handler', `unknown user ${id}`)),
          fc
            .tuple(victim, fc.integer({ min: 0, max: 999 }))
            .map(([i, k]) => bad(fieldsOf({ userId: String(ctx.victims[i]), managerEmail: `nobody-${k}@example.com` }), 'handler', 'unknown manager')),
          victim.map((i) => bad(fieldsOf({ userId: String(ctx.victims[i]), managerEmail: email(i) }), 'handler', 'the user as their own manager')),
          victim.map((i) => bad(fieldsOf({ userId: String(ctx.victims[i]), managerEmail: ctx.users.inactive.email }), 'handler', 'a deactivated manager')),
        ],
        { alsoInvalid: { managerEmail: fc.constantFrom('no-at-sign', 'two@@example.com', 'a b@example.com', 'x@nodot', '@example.com', '=cmd@example.com') } },
      );
    },
  },
  {
    // Last of the users' targets: a success erases a victim for good (later bodies naming it are refused as already erased).
    name: 'admin.eraseUser',
    as: 'admin',
    // One user's page posts it; any user's page shows the answer (and its status).
    page: (_body, ctx) => `/admin/users/${ctx.victims[0]}`,
    bodies: (ctx) => {
      const victim = fc.integer({ min: 0, max: ctx.victims.length - 1 });
      const email = (i: number) => `fuzz-victim${i}@example.com`;
      const valid = fc
        .tuple(victim, fc.constantFrom('', ' ', 'upper'))
        .chain(([i, v]) =>
          validFields(
            'admin.eraseUser',
            { userId: idText([ctx.victims[i]!]), confirmEmail: fc.constant(v === 'upper' ? email(i).toUpperCase() : `${v}${email(i)}${v}`) },
            'always',
          ),
        );
      return schemaMix('admin.eraseUser', valid, [
        fc.tuple(victim, nonexistentId).map(([i, id]) => bad(fieldsOf({ userId: String(id), confirmEmail: email(i) }), 'handler', `unknown user ${id}`)),
        fc.constant(bad(fieldsOf({ userId: String(ctx.users.admin.id), confirmEmail: ctx.users.admin.email }), 'handler', 'erasing oneself')),
        fc
          .tuple(victim, victim, fc.oneof(fc.constant(''), anyText))
          .filter(([i, j]) => i !== j)
          .map(([i, j, typed]) =>
            bad(fieldsOf({ userId: String(ctx.victims[i]), confirmEmail: typed === '' ? email(j) : typed.slice(0, 254) }), 'handler', 'confirmation does not match'),
          ),
      ]);
    },
  },
];

const programme: ActionSpec[] = [
  {
    name: 'admin.createAssignment',
    as: 'admin',
    page: () => '/admin/assignments',
    bodies: (ctx) => {
      const tiers = enumValues(schemaOf('admin.createAssignment').field('tierId'));
      // Mostly narrow targets: each assignment enrols its users, and every snapshot reads them all.
      const target = fc.oneof(
        { weight: 1, arbitrary: fc.constant({ target: 'everyone' }) },
        { weight: 3, arbitrary: role.map((r) => ({ target: 'role', role: r })) },
        {
          weight: 3,
          arbitrary: departmentIdText(ctx)
            .filter((d) => d !== '')
            .map((d) => ({ target: 'department', departmentId: d })),
        },
        { weight: 3, arbitrary: fc.constantFrom(ctx.waves.permanent).map((w) => ({ target: 'wave', waveId: String(w) })) },
      );
      const due = fc.oneof(
        fc.constant({ dueKind: 'none' }),
        day.map((d) => ({ dueKind: 'date', dueDate: d })),
        fc.integer({ min: 1, max: 730 }).map((n) => ({ dueKind: 'days', dueDays: String(n) })),
      );
      const valid = fc.tuple(fc.constantFrom(...tiers), target, due).map(([tierId, tg, d]) => fieldsOf({ tierId, ...tg, ...d } as Record<string, string>));
      return schemaMix(
        'admin.createAssignment',
        valid,
        [
          fc
            .tuple(fc.constantFrom(...tiers), due, fc.constantFrom('', undefined))
            .map(([tierId, d, r]) => bad(fieldsOf({ tierId, target: 'role', role: r, ...d } as Record<string, string>), 'handler', 'role target without a role')),
          fc
            .tuple(fc.constantFrom(...tiers), due, nonexistentId)
            .map(([tierId, d, id]) =>
              bad(fieldsOf({ tierId, target: 'department', departmentId: String(id), ...d } as Record<string, string>), 'handler', `unknown department ${id}`),
            ),
          fc
            .tuple(fc.constantFrom(...tiers), due, nonexistentId)
            .map(([tierId, d, id]) => bad(fieldsOf({ tierId, target: 'wave', waveId: String(id), ...d } as Record<string, string>), 'handler', `unknown wave ${id}`)),
          fc
            .tuple(fc.constantFrom(...tiers), fc.constantFrom('department', 'wave'))
            .map(([tierId, tg]) => bad(fieldsOf({ tierId, target: tg, dueKind: 'none' }), 'handler', `${tg} target without an id`)),
          fc
            .tuple(fc.constantFrom(...tiers), fc.constantFrom('', undefined))
            .map(([tierId, v]) => bad(fieldsOf({ tierId, target: 'everyone', dueKind: 'date', dueDate: v }), 'handler', 'due date missing')),
          fc
            .tuple(fc.constantFrom(...tiers), fc.constantFrom('', undefined))
            .map(([tierId, v]) => bad(fieldsOf({ tierId, target: 'everyone', dueKind: 'days', dueDays: v }), 'handler', 'due days missing')),
        ],
        // Every new assignment enrols users and is re-matched on every later admin write: fewer.
        { validWeight: 1 },
      );
    },
  },
  {
    name: 'admin.deleteAssignment',
    as: 'admin',
    page: () => '/admin/assignments',
    bodies: (ctx) =>
      schemaMix('admin.deleteAssignment', validFields('admin.deleteAssignment', { assignmentId: idText(ctx.assignments) }), [
        nonexistentId.map((id) => bad(fieldsOf({ assignmentId: String(id) }), 'handler', `unknown assignment ${id}`)),
      ]),
  },
  /* No zod schema on this action (the handler parses the form): its bodies are the spec's. */
  {
    name: 'admin.saveWave',
    as: 'admin',
    page: () => '/admin/waves',
    bodies: (ctx) => {
      const dates = fc.tuple(day, day).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [string, string]);
      const targets = fc.dictionary(fc.constantFrom(...TARGET_KPIS.map((k) => `target.${k}`)), fc.oneof(fc.integer({ min: 0, max: 100 }).map(String), fc.constant('')), {
        maxKeys: 4,
      });
      const valid = fc
        .record({
          // Mostly edits of existing waves; a new one now and then (every wave is re-matched on each admin write).
          waveId: fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 4, arbitrary: fc.constantFrom(...ctx.waves.pool.map(String)) }),
          name: textUpTo(100, 1),
          position: fc.option(fc.integer({ min: 0, max: 1000 }).map(String), { nil: undefined }),
          dates,
          description: fc.option(textUpTo(1000), { nil: undefined }),
          departmentIds: fc.subarray([ctx.departments.mine, ctx.departments.other].map(String)),
          targets,
        })
        .map(({ dates: [startDate, endDate], targets: tg, ...rest }) => [...fieldsOf({ ...rest, startDate, endDate }), ...Object.entries(tg)] as Field[]);
      const known = ['waveId', 'name', 'position', 'startDate', 'endDate', 'description', 'departmentIds', ...TARGET_KPIS.map((k) => `target.${k}`)];
      const idInvalid = fc.oneof(notANumber, fc.constantFrom('0', '-1', '1.5', String(2 ** 31 + 1), '1e20'));
      const invalidValue = (name: string, value: fc.Arbitrary<string>) =>
        fc.tuple(valid, value).map(([f, v]) => bad(replaced(f, name, v), 'handler', `${name}=${JSON.stringify(v.slice(0, 30))}`));
      return fc.oneof(
        { weight: 2, arbitrary: fc.tuple(valid, fc.boolean()).map(([f, mp]) => good(f, mp)) },
        // A forged form may name a department twice: accepted or refused, but never a 5xx.
        { weight: 1, arbitrary: valid.map((f) => good([...f, ['departmentIds', String(ctx.departments.mine)], ['departmentIds', String(ctx.departments.mine)]])) },
        { weight: 1, arbitrary: fc.tuple(valid, unknownName(known), anyText).map(([f, n, v]) => bad([...f, [n, v]], 'handler', `unknown field ${JSON.stringify(n)}`)) },
        { weight: 1, arbitrary: invalidValue('name', fc.oneof(blank, overMax(100))) },
        {
          weight: 1,
          arbitrary: invalidValue('position', fc.oneof(fc.integer({ max: -1 }).map(String), fc.integer({ min: 1001 }).map(String), fc.constantFrom('1.5', '1e9'), notANumber)),
        },
        { weight: 1, arbitrary: invalidValue('startDate', notMatching(DATE)) },
        { weight: 1, arbitrary: invalidValue('endDate', notMatching(DATE)) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(valid, dates)
            .filter(([, [a, b]]) => a < b)
            .map(([f, [a, b]]) => bad(replaced(replaced(f, 'startDate', b), 'endDate', a), 'handler', 'end before start')),
        },
        { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom('name', 'startDate', 'endDate')).map(([f, n]) => bad(without(f, n), 'handler', `no ${n}`)) },
        { weight: 1, arbitrary: invalidValue('description', overMax(1000)) },
        { weight: 1, arbitrary: fc.tuple(valid, idInvalid).map(([f, v]) => bad([...f, ['departmentIds', v]], 'handler', `department id ${JSON.stringify(v.slice(0, 20))}`)) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(valid, fc.integer({ min: 1001, max: 1500 }))
            .map(([f, n]) =>
              bad([...without(f, 'departmentIds'), ...Array.from({ length: n }, (): Field => ['departmentIds', String(ctx.departments.mine)])], 'handler', `${n} departments`),
            ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(valid, fc.constantFrom(...TARGET_KPIS), fc.oneof(fc.constantFrom('-1', '-0.01', '1e309', '1e12'), notANumber))
            .map(([f, kpi, v]) => bad(replaced(f, `target.${kpi}`, v), 'handler', `target ${kpi}=${v.slice(0, 20)}`)),
        },
        { weight: 1, arbitrary: fc.tuple(valid, idInvalid).map(([f, v]) => bad(replaced(f, 'waveId', v), 'handler', `wave id ${JSON.stringify(v.slice(0, 20))}`)) },
        { weight: 2, arbitrary: fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'waveId', String(id)), 'handler', `unknown wave ${id}`)) },
        { weight: 2, arbitrary: fc.tuple(valid, nonexistentId).map(([f, id]) => bad([...f, ['departmentIds', String(id)]], 'handler', `unknown department ${id}`)) },
        { weight: 1, arbitrary: fc.tuple(randomFields, fc.boolean()).map(([f, mp]) => good(f, mp)) },
        { weight: 1, arbitrary: brokenEnvelope },
      );
    },
  },
  {
    name: 'admin.deleteWave',
    as: 'admin',
    page: (_body, ctx) => `/admin/waves/${ctx.waves.permanent}`,
    bodies: (ctx) =>
      schemaMix('admin.deleteWave', validFields('admin.deleteWave', { waveId: idText(ctx.waves.pool) }), [
        nonexistentId.map((id) => bad(fieldsOf({ waveId: String(id) }), 'handler', `unknown wave ${id}`)),
      ]),
  },
];

const data: ActionSpec[] = [
  {
    name: 'admin.saveInquiries',
    as: 'admin',
    page: () => '/admin/helpdesk',
    bodies: (ctx) => {
      const valid = validFields('admin.saveInquiries', { month, departmentId: departmentIdText(ctx) });
      return schemaMix('admin.saveInquiries', valid, [
        fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'departmentId', String(id)), 'handler', `unknown department ${id}`)),
      ]);
    },
  },
  {
    name: 'admin.importInquiries',
    as: 'admin',
    page: () => '/admin/helpdesk',
    refusedData: (field) => field('ok') === false,
    bodies: (ctx) => {
      const header = 'month,department,count';
      const row = fc
        .record({ month, department: fc.constantFrom('', ...ctx.departments.names), count: fc.integer({ min: 0, max: 9_999_999 }).map(String) })
        .map((r) => [r.month, r.department, r.count]);
      const rows = fc.uniqueArray(row, { minLength: 1, maxLength: 6, selector: (r) => `${r[0]}|${r[1]!.toLowerCase()}` });
      const csv = (lines: string[][], head = header) => [head, ...lines.map((l) => l.map(csvCell).join(','))].join('\n');
      const upload = (text: string | Uint8Array) => csvFile(text, 'helpdesk.csv');
      const valid = rows.map((r) => fieldsOf({ file: upload(csv(r)) }));
      const withRows = (why: string, change: (lines: string[][]) => string[][]) => rows.map((r) => bad(fieldsOf({ file: upload(csv(change(r))) }), 'handler', why, true));
      return schemaMix(
        'admin.importInquiries',
        valid,
        [
          rows.map((r) => bad(fieldsOf({ file: upload(csv(r, 'department,month,count')) }), 'handler', 'wrong header', true)),
          withRows('bad month', (r) => r.map((l, i) => (i === 0 ? ['2024-13', ...l.slice(1)] : l))),
          fc
            .tuple(rows, fc.constantFrom('-1', '1.5', 'ten', '12345678', ''))
            .map(([r, c]) => bad(fieldsOf({ file: upload(csv(r.map((l, i) => (i === 0 ? [l[0]!, l[1]!, c] : l)))) }), 'handler', `count ${c}`, true)),
          withRows('unknown department', (r) => r.map((l, i) => (i === 0 ? [l[0]!, 'no such department zz', l[2]!] : l))),
          withRows('duplicate row', (r) => [...r, r[0]!]),
          withRows('wrong field count', (r) => r.map((l, i) => (i === 0 ? [...l, 'extra'] : l))),
          fc.constant(bad(fieldsOf({ file: upload(header) }), 'handler', 'header only', true)),
          fc.tuple(rows, anyText).map(([r, junk]) => bad(fieldsOf({ file: upload(`${csv(r)}\n"2024-01${junk.replace(/"/g, '')}`) }), 'handler', 'unclosed quote', true)),
          fc.oneof(
            { weight: 9, arbitrary: fc.constant(bad(fieldsOf({ file: upload('') }), 'handler', 'empty file', true)) },
            {
              weight: 1,
              arbitrary: fc.constant(
                bad(fieldsOf({ file: upload(`${header}\n${'2024-01,,1\n'.repeat(Math.ceil((HELPDESK_CSV_MAX_BYTES + 10) / 11))}`) }), 'handler', 'file over the size limit', true),
              ),
            },
          ),
        ],
        { multipart: true },
      );
    },
  },
  {
    name: 'admin.saveBaseline',
    as: 'admin',
    page: () => '/admin/settings',
    bodies: () => {
      const valid = fc.tuple(month, month).map(([a, b]) => fieldsOf(a <= b ? { from: a, to: b } : { from: b, to: a }));
      // "from after to" is the object's refinement: the schema refuses it (and is asked to confirm).
      return schemaMix('admin.saveBaseline', valid, [
        fc
          .tuple(month, month)
          .filter(([a, b]) => a !== b)
          .map(([a, b]) => bad(fieldsOf(a > b ? { from: a, to: b } : { from: b, to: a }), 'schema', 'from after to')),
      ]);
    },
  },
  {
    name: 'admin.pushXapi',
    as: 'admin',
    page: () => '/admin/exports',
    // XAPI_ENDPOINT is not set for this server (checked when the app starts): every push is refused.
    bodies: () =>
      schemaMix('admin.pushXapi', validFields('admin.pushXapi', {})).map(
        (body): Body => (body.invalid ? body : { ...body, invalid: { kind: 'handler', why: 'XAPI_ENDPOINT is not configured' } }),
      ),
  },
];

// Notifications (src/actions/notifications.ts). The two settings forms read their fields from the
// FormData themselves (webhook fields per department), so their bodies are built here, not from a schema.
const hour = fc.integer({ min: 0, max: 23 }).map(String);
const weekday = fc.integer({ min: 1, max: 5 }).map(String);
const webhook = fc.constantFrom('', 'https://example.invalid/workflows/abc', 'https://hooks.example.invalid/services/T0/B0/x');
const notHttps = fc.constantFrom('http://example.invalid/hook', 'ftp://example.invalid/x', 'not a url', 'https://user:pw@example.invalid/x', 'javascript:alert(1)');
const SETTINGS_FIELDS = ['sendHour', 'digestWeekday', 'disabledKinds', 'teamsSecret', 'slackSecret', 'removeTeams', 'removeSlack'];

const notifications: ActionSpec[] = [
  {
    name: 'admin.resendNotification',
    as: 'admin',
    page: () => '/admin/notifications',
    // No outbox row exists in the fuzz database: every resend is refused (and changes nothing).
    bodies: () => schemaMix('admin.resendNotification', validFields('admin.resendNotification', { outboxId: fc.integer({ min: 1, max: 10_000 }).map(String) })),
  },
  {
    name: 'admin.resendAllFailed',
    as: 'admin',
    page: () => '/admin/notifications',
    bodies: () => schemaMix('admin.resendAllFailed', validFields('admin.resendAllFailed', {})),
  },
  {
    name: 'admin.sendTestEmail',
    as: 'admin',
    page: () => '/admin/notifications',
    bodies: () => schemaMix('admin.sendTestEmail', validFields('admin.sendTestEmail', {})),
  },
  {
    name: 'admin.sendTestPost',
    as: 'admin',
    page: () => '/admin/notifications',
    bodies: (ctx) => schemaMix('admin.sendTestPost', validFields('admin.sendTestPost', { departmentId: departmentIdText(ctx) })),
  },
  {
    name: 'admin.saveNotificationSettings',
    as: 'admin',
    page: () => '/admin/settings/notifications',
    bodies: () => {
      const valid = fc
        .record({ sendHour: hour, digestWeekday: weekday, disabledKinds: fc.subarray([...NOTIFICATION_KINDS]), teamsSecret: webhook, slackSecret: webhook })
        .map((r) => fieldsOf(r));
      return fc.oneof(
        { weight: 3, arbitrary: valid.map((f) => good(f)) },
        fc
          .tuple(valid, notHttps, fc.constantFrom('teamsSecret', 'slackSecret'))
          .map(([f, url, field]) => bad(replaced(f, field, url), 'handler', `${field} is not an https webhook`)),
        fc.tuple(valid, fc.integer({ min: 24, max: 100_000 })).map(([f, h]) => bad(replaced(f, 'sendHour', String(h)), 'handler', 'send hour out of range')),
        fc.tuple(valid, fc.constantFrom('0', '6', '7', 'x')).map(([f, d]) => bad(replaced(f, 'digestWeekday', d), 'handler', 'weekday not Monday–Friday')),
        fc.tuple(valid, unknownName([...SETTINGS_FIELDS, '_action'])).map(([f, n]) => bad([...f, [n, 'x']], 'handler', `unknown field ${n}`)),
        fc.tuple(valid, anyText).map(([f, kind]) => ({ fields: [...f, ['disabledKinds', kind] as Field], invalid: null })),
        randomFields.map((f): Body => ({ fields: f, invalid: null })),
      );
    },
  },
  {
    name: 'admin.saveDepartmentChannels',
    as: 'admin',
    page: () => '/admin/settings/notifications',
    bodies: (ctx) => {
      const id = ctx.departments.mine;
      const valid = fc
        .record({ teams: webhook, slack: webhook })
        .map(({ teams, slack }) => fieldsOf({ departmentId: String(id), [`teamsSecret.${id}`]: teams, [`slackSecret.${id}`]: slack }));
      return fc.oneof(
        { weight: 3, arbitrary: valid.map((f) => good(f)) },
        fc.tuple(valid, notHttps).map(([f, url]) => bad(replaced(f, `teamsSecret.${id}`, url), 'handler', 'not an https webhook')),
        fc.tuple(valid, fc.constantFrom('0', '-1', 'x', '1.5')).map(([f, bogus]) => bad([...f, ['departmentId', bogus]], 'handler', 'not a department id')),
        fc
          .tuple(valid, unknownName(['departmentId', `teamsSecret.${id}`, `slackSecret.${id}`, `removeTeams.${id}`, `removeSlack.${id}`, '_action']))
          .map(([f, n]) => bad([...f, [n, 'x']], 'handler', `unknown field ${n}`)),
        fc
          .tuple(valid, nonexistentId)
          .map(([, missing]) => ({ fields: fieldsOf({ departmentId: String(missing), [`teamsSecret.${missing}`]: 'https://example.invalid/x' }), invalid: null }) as Body),
        randomFields.map((f): Body => ({ fields: f, invalid: null })),
      );
    },
  },
];

// Users first, then the programme data (which every later snapshot reads), then the rest.
/** SCIM bearer tokens in /admin/settings (issue 19). The app seeds one token (id 1), which a valid revoke may end. */
const scimTokens: ActionSpec[] = [
  {
    name: 'admin.createScimToken',
    as: 'admin',
    page: () => '/admin/settings',
    bodies: () => schemaMix('admin.createScimToken', validFields('admin.createScimToken', {}), [], { alsoInvalid: { label: blank } }),
  },
  {
    name: 'admin.revokeScimToken',
    as: 'admin',
    page: () => '/admin/settings',
    bodies: () =>
      schemaMix('admin.revokeScimToken', validFields('admin.revokeScimToken', { tokenId: idText([1]) }), [
        nonexistentId.map((id) => bad(fieldsOf({ tokenId: String(id) }), 'handler', `unknown token ${id}`)),
      ]),
  },
];

fuzzFile(import.meta.url, { actions: [...users, ...programme, ...data, ...notifications, ...scimTokens] });
