/** The part of jstat (https://github.com/jstat/jstat, MIT) the results maths and the bandit use. */
declare module 'jstat' {
  interface JStat {
    setRandom(fn: () => number): void;
    beta: { sample(alpha: number, beta: number): number; inv(p: number, alpha: number, beta: number): number };
    normal: { sample(mean: number, std: number): number; cdf(x: number, mean: number, std: number): number; inv(p: number, mean: number, std: number): number };
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
  }
  const jStat: JStat;
  export default jStat;
}
