import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, now, nowMs, setClock, shiftedClock } from './clock.ts';
import { installClockFile, writeClockFile } from './clock.server.ts';

afterEach(() => setClock(null));

describe('clock', () => {
  it('follows the system clock by default', () => {
    const before = Date.now();
    const t = nowMs();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('can be stopped and shifted by a test', () => {
    setClock(fixedClock(new Date('2027-03-01T00:00:00Z')));
    expect(now().toISOString()).toBe('2027-03-01T00:00:00.000Z');
    setClock(shiftedClock(86_400_000));
    expect(nowMs() - Date.now()).toBeGreaterThan(86_399_000);
  });

  it('is one clock for every copy of the module (the built app bundles its own)', async () => {
    // A query string makes the test runner load a second instance of the file, as a bundle has one.
    const second = './clock.ts?copy';
    const copy = (await import(second)) as typeof import('./clock.ts');
    expect(copy.setClock).not.toBe(setClock);
    setClock(fixedClock(new Date('2027-03-01T00:00:00Z')));
    expect(copy.now().toISOString()).toBe('2027-03-01T00:00:00.000Z');
    copy.setClock(null);
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
  });

  it('follows the offset file a test writes, re-reading it when it changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-clock-'));
    const file = path.join(dir, 'clock.json');
    installClockFile(file);
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
    writeClockFile(file, 30 * 86_400_000);
    expect(nowMs() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    writeClockFile(file, -86_400_000);
    expect(nowMs() - Date.now()).toBeLessThan(-86_000_000);
    fs.writeFileSync(file, 'not json');
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
