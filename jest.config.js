/** Transpile only: `npm run typecheck` type-checks the whole tree once. */
const base = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'cdk8s', roots: ['<rootDir>/test'] },
    {
      // The synthesis tests again, against the oldest cdk8s the peer dependency allows (npm alias cdk8s-min), for
      // cdk8s-plus-28 and our library alike: our App reproduces cdk8s internals that must hold across the range.
      ...base,
      displayName: 'cdk8s-min',
      roots: ['<rootDir>/test/synth'],
      moduleNameMapper: { '^cdk8s$': 'cdk8s-min', '^cdk8s/(.*)$': 'cdk8s-min/$1' },
    },
  ],
};
