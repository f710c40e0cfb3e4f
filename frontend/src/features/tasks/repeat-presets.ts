/** The repeat menu: common rules by name (any other rule a task carries is offered as itself). */
export const REPEAT_PRESETS: ReadonlyArray<{ rule: string; label: string }> = [
  { rule: 'FREQ=DAILY', label: 'Every day' },
  { rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', label: 'Every weekday' },
  { rule: 'FREQ=WEEKLY', label: 'Every week' },
  { rule: 'FREQ=MONTHLY', label: 'Every month' },
  { rule: 'FREQ=YEARLY', label: 'Every year' },
];
