/** `npx cem analyze` reads this: documents the `ivs-*` elements from their JSDoc and Lit decorators. */
export default {
  globs: ['src/elements/**/*.ts', 'src/define/*.ts'],
  exclude: ['src/elements/**/*.test.ts'],
  outdir: '.',
  litelement: true,
  packagejson: true,
};
