/**
 * The part of jstat (https://github.com/jstat/jstat, MIT) the reports' intervals use (stats.ts) and that
 * test/unit/experiment-sampling.test.ts compares the decisions' own samplers and distribution functions with.
 */
declare module 'jstat' {
  interface JStat {
    setRandom(fn: () => number): void;
    randn(): number;
    randg(shape: number): number;
    erf(x: number): number;
    gammaln(x: number): number;
    beta: { sample(alpha: number, beta: number): number; inv(p: number, alpha: number, beta: number): number };
    normal: { sample(mean: number, std: number): number; cdf(x: number, mean: number, std: number): number; inv(p: number, mean: number, std: number): number };
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
  }
  const jStat: JStat;
  export default jStat;
}
