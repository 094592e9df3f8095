/**
 * Next occurrence of a Purview scan trigger recurrence (`{frequency: Hour|Day|Week|Month, interval,
 * startTime, endTime?, schedule?: {hours, minutes, weekDays, monthDays, monthlyOccurrences}}`) on
 * the sandbox clock. Times are UTC (the `timeZone` field is kept but not applied).
 */

export interface Recurrence {
  frequency: 'Hour' | 'Day' | 'Week' | 'Month';
  interval?: number;
  startTime: string;
  endTime?: string | null;
  timeZone?: string;
  schedule?: {
    hours?: number[] | null;
    minutes?: number[] | null;
    weekDays?: string[] | null;
    monthDays?: number[] | null;
    monthlyOccurrences?: { day: string; occurrence: number }[] | null;
  } | null;
}

export const FREQUENCIES = ['Hour', 'Day', 'Week', 'Month'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const HOUR = 3600e3;
const DAY = 24 * HOUR;

/** A problem with a recurrence, or undefined when it is usable. */
export function recurrenceProblem(r: unknown): string | undefined {
  if (!r || typeof r !== 'object') return "properties.recurrence is required: {frequency, interval, startTime, schedule?}";
  const x = r as Record<string, unknown>;
  if (!FREQUENCIES.includes(x.frequency as (typeof FREQUENCIES)[number])) return `recurrence.frequency must be one of ${FREQUENCIES.join(', ')}`;
  if (x.interval !== undefined && x.interval !== null && (!Number.isInteger(x.interval) || (x.interval as number) < 1)) return 'recurrence.interval must be a positive integer';
  if (typeof x.startTime !== 'string' || Number.isNaN(Date.parse(x.startTime))) return 'recurrence.startTime must be an ISO 8601 date-time';
  if (x.endTime !== undefined && x.endTime !== null && (typeof x.endTime !== 'string' || Number.isNaN(Date.parse(x.endTime)))) return 'recurrence.endTime must be an ISO 8601 date-time';
  const s = (x.schedule ?? {}) as Record<string, unknown>;
  const ints = (v: unknown, lo: number, hi: number) => v === undefined || v === null || (Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= lo && n <= hi));
  if (!ints(s.hours, 0, 23)) return 'schedule.hours must be integers 0-23';
  if (!ints(s.minutes, 0, 59)) return 'schedule.minutes must be integers 0-59';
  if (!ints(s.monthDays, -1, 31)) return 'schedule.monthDays must be integers 1-31 (or -1 for the last day)';
  if (s.weekDays !== undefined && s.weekDays !== null && (!Array.isArray(s.weekDays) || !s.weekDays.every((d) => WEEKDAYS.includes(String(d))))) return `schedule.weekDays must be day names (${WEEKDAYS.join(', ')})`;
  return undefined;
}

function startOfDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

function monthsBetween(a: Date, b: Date): number {
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
}

function dayMatchesMonthly(d: Date, r: Recurrence, start: Date): boolean {
  const s = r.schedule ?? {};
  const dom = d.getUTCDate();
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const occ = s.monthlyOccurrences ?? [];
  if (occ.length > 0) {
    return occ.some((o) => {
      if (WEEKDAYS[d.getUTCDay()] !== o.day) return false;
      const nth = Math.floor((dom - 1) / 7) + 1;
      return o.occurrence > 0 ? nth === o.occurrence : dom + 7 > lastDay;
    });
  }
  const days = s.monthDays && s.monthDays.length > 0 ? s.monthDays : [start.getUTCDate()];
  return days.some((md) => (md === -1 ? dom === lastDay : md === dom || (md > lastDay && dom === lastDay)));
}

/** The first occurrence strictly after `after`, or undefined when the recurrence has ended. */
export function nextOccurrence(r: Recurrence, after: Date): Date | undefined {
  const start = new Date(r.startTime);
  const end = r.endTime ? Date.parse(r.endTime) : Number.POSITIVE_INFINITY;
  const interval = r.interval && r.interval > 0 ? r.interval : 1;
  const from = Math.max(after.getTime(), start.getTime() - 1);
  const s = r.schedule ?? {};
  const hasSchedule = !!((s.hours && s.hours.length) || (s.minutes && s.minutes.length) || (s.weekDays && s.weekDays.length) || (s.monthDays && s.monthDays.length) || (s.monthlyOccurrences && s.monthlyOccurrences.length));
  const done = (t: number | undefined) => (t === undefined || t > end ? undefined : new Date(t));

  if (!hasSchedule) {
    if (r.frequency === 'Month') {
      for (let k = 0; k < 12 * 200; k += interval) {
        const t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + k, start.getUTCDate(), start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds());
        if (t > from) return done(t);
      }
      return undefined;
    }
    const period = (r.frequency === 'Hour' ? HOUR : r.frequency === 'Day' ? DAY : 7 * DAY) * interval;
    const k = Math.max(0, Math.floor((from - start.getTime()) / period) + 1);
    const t = start.getTime() + k * period;
    return done(t > from ? t : t + period);
  }

  const minutes = (s.minutes && s.minutes.length ? s.minutes : [start.getUTCMinutes()]).slice().sort((a, b) => a - b);
  if (r.frequency === 'Hour') {
    const firstHour = Math.floor(start.getTime() / HOUR);
    for (let h = Math.floor(from / HOUR); h < Math.floor(from / HOUR) + 24 * 8 * interval; h++) {
      if ((h - firstHour) % interval !== 0) continue;
      for (const m of minutes) {
        const t = h * HOUR + m * 60e3;
        if (t > from) return done(t);
      }
    }
    return undefined;
  }
  const hours = (s.hours && s.hours.length ? s.hours : [start.getUTCHours()]).slice().sort((a, b) => a - b);
  const weekDays = s.weekDays && s.weekDays.length ? s.weekDays : [WEEKDAYS[start.getUTCDay()]];
  const startDay = startOfDay(start.getTime());
  const limitDays = r.frequency === 'Month' ? 31 * 12 * interval + 62 : 7 * 2 * interval + 400;
  for (let day = startOfDay(from); day < startOfDay(from) + limitDays * DAY; day += DAY) {
    const d = new Date(day);
    const daysSince = Math.round((day - startDay) / DAY);
    if (daysSince < 0) continue;
    let eligible: boolean;
    if (r.frequency === 'Day') eligible = daysSince % interval === 0;
    else if (r.frequency === 'Week') eligible = Math.floor(daysSince / 7) % interval === 0 && weekDays.includes(WEEKDAYS[d.getUTCDay()]);
    else eligible = monthsBetween(start, d) % interval === 0 && dayMatchesMonthly(d, r, start);
    if (!eligible) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const t = day + h * HOUR + m * 60e3;
        if (t > from) return done(t);
      }
    }
  }
  return undefined;
}
