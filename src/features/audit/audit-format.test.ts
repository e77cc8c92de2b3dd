import { describe, expect, it } from 'vitest';
import { type AuditFormatContext, auditActionLabel, auditDetails, auditTargetLabel } from './audit-format.ts';
import { translator } from '../../platform/i18n/index.ts';
import type { AuditAction } from './audit.server.ts';

const ACTIONS: AuditAction[] = [
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.sign_out',
  'auth.link_used',
  'access.denied',
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.erase',
  'user.password_set',
  'users.imported',
  'user.login_link_created',
  'assignment.created',
  'assignment.deleted',
  'wave.created',
  'wave.updated',
  'wave.deleted',
  'helpdesk.saved',
  'helpdesk.imported',
  'baseline.saved',
  'export.downloaded',
  'xapi.pushed',
  'notification.sent',
  'notification.failed',
  'scim.token_created',
  'scim.token_revoked',
  'scim.group_created',
  'scim.group_updated',
  'scim.group_deleted',
];

function context(locale: 'ja' | 'en'): AuditFormatContext {
  return { t: translator(locale), locale, departmentName: (id) => (id === 3 ? '営業部' : null), tierTitle: (id) => (id === 'basic' ? (locale === 'ja' ? '基礎' : 'Basic') : id) };
}

const lines = (details: Record<string, unknown>, locale: 'ja' | 'en'): string[] =>
  auditDetails(details, context(locale)).map((d) => translator(locale)('common.labelValue', { label: d.label, value: d.value }));

describe('audit log for people', () => {
  it('names every action in both languages', () => {
    for (const locale of ['ja', 'en'] as const) {
      const names = ACTIONS.map((action) => auditActionLabel(action, translator(locale)));
      expect(
        names.filter((name, i) => name === ACTIONS[i]),
        locale,
      ).toEqual([]);
      expect(new Set(names).size, locale).toBe(ACTIONS.length);
    }
    // An action added later is shown as its code rather than hidden.
    expect(auditActionLabel('something.new', translator('ja'))).toBe('something.new');
  });

  it('renders details as labelled values, never as JSON', () => {
    expect(lines({ method: 'password' }, 'ja')).toEqual(['方法：パスワード']);
    expect(lines({ reason: 'wrong_password' }, 'en')).toEqual(['Reason: Wrong password']);
    expect(lines({ before: { role: 'learner', departmentId: 3 }, after: { role: 'admin', departmentId: 3 } }, 'ja')).toEqual(['役割：学習者 → 管理者']);
    expect(lines({ changes: { displayName: { from: '佐藤', to: '佐藤 花子' } } }, 'en')).toEqual(['Display name: 佐藤 → 佐藤 花子']);
    expect(lines({ tierId: 'basic', target: { kind: 'department', departmentId: 3 }, due: { kind: 'days', days: 1 } }, 'en')).toEqual([
      'Tier: Basic',
      'Assigned to: Department: 営業部',
      'Due: Within 1 day of joining',
    ]);
    expect(lines({ from: '2026-04', to: '2026-06' }, 'ja')).toEqual(['開始月：2026年4月', '終了月：2026年6月']);
    expect(lines({ targets: [{ kpi: 'usage_rate', comparator: 'gte', value: 0.5 }], bom: true }, 'en')).toEqual(['Targets: Usage rate at least 50%', 'With BOM: Yes']);
    for (const locale of ['ja', 'en'] as const) {
      const all = lines({ sent: 1200, alreadyDelivered: 0, batches: 3, error: null, unknownKey: { nested: 1 } }, locale).join(' ');
      expect(all).not.toMatch(/[{}"]/);
    }
  });

  it('names targets', () => {
    expect(auditTargetLabel('user', '12', context('ja'))).toBe('ユーザー #12');
    expect(auditTargetLabel('department', '3', context('en'))).toBe('Department: 営業部');
    expect(auditTargetLabel('export', 'users', context('ja'))).toBe('エクスポート：ユーザーと進み具合');
    expect(auditTargetLabel(null, null, context('en'))).toBe('—');
  });
});
