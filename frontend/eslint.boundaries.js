// The SPA's import direction: shared code (components/ui, lib) → features → app. Lower tiers never
// import higher ones; a feature reaches another only through its public entry (`features/<x>/index.ts`);
// API types and values come only from the wire contract, never from backend internals.
const FEATURES = ['auth', 'live', 'offline', 'projects', 'stats', 'tasks'];
const SRC = 'frontend/src';

const onlyTheContract = {
  regex: '^@primo/api/(?!contract/)',
  message: 'Import API types and values from @primo/api/contract/wire only, never from backend internals.',
};

/** Flat-config blocks for `eslint.config.js` to spread in. */
export const frontendBoundaries = [
  {
    files: [`${SRC}/**/*.{ts,tsx}`],
    rules: { 'no-restricted-imports': ['error', { patterns: [onlyTheContract] }] },
  },
  {
    files: [`${SRC}/lib/**/*.{ts,tsx}`, `${SRC}/components/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyTheContract,
            {
              regex: '(^|/)(features|app)(/|$)',
              message:
                'Shared code (components/ui, lib) must not import features or the app; move the shared part down.',
            },
          ],
        },
      ],
    },
  },
  ...FEATURES.map((feature) => {
    const others = FEATURES.filter((other) => other !== feature).join('|');
    return {
      files: [`${SRC}/features/${feature}/**/*.{ts,tsx}`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              onlyTheContract,
              {
                regex: '^(\\.\\./)+app(/|$)',
                message: 'Features must not import the app layer; the app composes features.',
              },
              {
                regex: `(^|/)(${others})/.+`,
                message: `features/${feature} may use another feature only through its public entry (features/<x>/index.ts).`,
              },
            ],
          },
        ],
      },
    };
  }),
];
