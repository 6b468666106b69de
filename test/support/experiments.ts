/** A small tone experiment for the reminder phase (control vs firm, fixed split) as the strategy file holds one. */
export const toneExperiment = (id: string) => ({
  id,
  dimension: 'tone',
  eligibility: { phases: ['reminder'] },
  variants: [
    { name: 'control', control: true },
    { name: 'firm', tone: 'firm' },
  ],
  metric: 'paid_within_30d',
  start: '2026-01-01T00:00:00Z',
  allocation: 'fixed',
});
