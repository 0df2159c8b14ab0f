import { UTM_SOURCES } from './reference-data.ts';
import { addDays, blackFriday } from './sample-calendar.ts';
import { seededUnit } from './seeded-random.ts';

/** A marketing campaign as the marketing system exports it. */
export interface CampaignPlan {
  readonly campaignId: string;
  readonly name: string;
  readonly utmSource: string;
  readonly utmMedium: string;
  readonly utmCampaign: string;
  readonly startDate: string;
  readonly endDate: string;
}

const CAMPAIGN_COUNT = 50;

function slug(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/**
 * Plans ~50 campaigns over the period: the seasonal ones (Black Friday, Christmas, Mother's day,
 * back to school) every year, the rest spread evenly with seeded lengths and sources.
 */
export function planCampaigns(seed: number, periodStart: string, periodEnd: string): CampaignPlan[] {
  const specs: { name: string; start: string; end: string }[] = [];
  const firstYear = Number(periodStart.slice(0, 4));
  const lastYear = Number(periodEnd.slice(0, 4));
  for (let year = firstYear; year <= lastYear; year++) {
    const bf = blackFriday(year);
    specs.push({ name: `Black Friday ${year}`, start: addDays(bf, -7), end: addDays(bf, 3) });
    specs.push({ name: `Natal ${year}`, start: `${year}-12-01`, end: `${year}-12-24` });
    specs.push({ name: `Dia das Mães ${year}`, start: `${year}-04-25`, end: `${year}-05-12` });
    specs.push({ name: `Volta às Aulas ${year}`, start: `${year}-01-15`, end: `${year}-02-10` });
  }
  const seasonal = specs.filter((s) => s.end >= periodStart && s.start <= periodEnd);
  const others = CAMPAIGN_COUNT - seasonal.length;
  for (let i = 0; i < others; i++) {
    const start = addDays(periodStart, Math.floor((i * 720) / others + seededUnit(seed, `camp-start:${i}`) * 10));
    const length = 7 + Math.floor(seededUnit(seed, `camp-len:${i}`) * 21);
    seasonal.push({ name: `Campanha ${String(i + 1).padStart(2, '0')} ${start.slice(0, 7)}`, start, end: addDays(start, length) });
  }
  seasonal.sort((a, b) => (a.start === b.start ? a.name.localeCompare(b.name) : a.start.localeCompare(b.start)));
  return seasonal.map((s, i) => {
    const [utmSource, utmMedium] = UTM_SOURCES[Math.floor(seededUnit(seed, `camp-src:${s.name}`) * UTM_SOURCES.length)]!;
    return {
      campaignId: `CMP${String(i + 1).padStart(3, '0')}`, name: s.name, utmSource, utmMedium,
      utmCampaign: slug(s.name), startDate: s.start < periodStart ? periodStart : s.start, endDate: s.end,
    };
  });
}
