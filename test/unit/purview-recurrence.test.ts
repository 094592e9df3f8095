import * as assert from 'node:assert/strict';
import { nextOccurrence, recurrenceProblem } from '../../src/sandbox/providers/purview/recurrence';

const at = (s: string) => new Date(s);
const iso = (d: Date | undefined) => d?.toISOString();

describe('sandbox Purview trigger recurrence', () => {
  it('plain periods from the start time', () => {
    const r = { frequency: 'Day' as const, interval: 1, startTime: '2030-01-01T06:00:00Z' };
    assert.equal(iso(nextOccurrence(r, at('2029-12-01T00:00:00Z'))), '2030-01-01T06:00:00.000Z');
    assert.equal(iso(nextOccurrence(r, at('2030-01-01T06:00:00Z'))), '2030-01-02T06:00:00.000Z');
    assert.equal(iso(nextOccurrence({ ...r, frequency: 'Hour', interval: 3 }, at('2030-01-01T07:00:00Z'))), '2030-01-01T09:00:00.000Z');
    assert.equal(iso(nextOccurrence({ ...r, frequency: 'Month' }, at('2030-01-15T00:00:00Z'))), '2030-02-01T06:00:00.000Z');
    assert.equal(nextOccurrence({ ...r, endTime: '2030-01-03T00:00:00Z' }, at('2030-01-02T07:00:00Z')), undefined);
  });

  it('schedules: week days, hours and minutes, month days, monthly occurrences', () => {
    const weekly = { frequency: 'Week' as const, interval: 1, startTime: '2030-01-01T00:00:00Z', schedule: { weekDays: ['Monday', 'Thursday'], hours: [23], minutes: [56] } };
    // 2030-01-01 is a Tuesday.
    assert.equal(iso(nextOccurrence(weekly, at('2030-01-01T00:00:00Z'))), '2030-01-03T23:56:00.000Z');
    assert.equal(iso(nextOccurrence(weekly, at('2030-01-03T23:56:00Z'))), '2030-01-07T23:56:00.000Z');
    const monthly = { frequency: 'Month' as const, interval: 1, startTime: '2030-01-01T00:00:00Z', schedule: { monthDays: [10], hours: [8], minutes: [0] } };
    assert.equal(iso(nextOccurrence(monthly, at('2030-01-10T09:00:00Z'))), '2030-02-10T08:00:00.000Z');
    const secondWednesday = { frequency: 'Month' as const, interval: 1, startTime: '2030-01-01T00:00:00Z', schedule: { monthlyOccurrences: [{ day: 'Wednesday', occurrence: 2 }], hours: [1], minutes: [0] } };
    assert.equal(iso(nextOccurrence(secondWednesday, at('2030-01-01T00:00:00Z'))), '2030-01-09T01:00:00.000Z');
  });

  it('validation', () => {
    assert.equal(recurrenceProblem({ frequency: 'Day', interval: 1, startTime: '2030-01-01T00:00:00Z' }), undefined);
    assert.match(recurrenceProblem({ frequency: 'Minute', startTime: '2030-01-01T00:00:00Z' }) ?? '', /frequency/);
    assert.match(recurrenceProblem({ frequency: 'Day', interval: 0, startTime: '2030-01-01T00:00:00Z' }) ?? '', /interval/);
    assert.match(recurrenceProblem({ frequency: 'Day', startTime: 'tomorrow' }) ?? '', /startTime/);
    assert.match(recurrenceProblem({ frequency: 'Day', startTime: '2030-01-01T00:00:00Z', schedule: { hours: [25] } }) ?? '', /hours/);
  });
});
