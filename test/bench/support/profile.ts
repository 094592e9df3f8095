/**
 * A V8 CPU profile of the current process, for the benches' diagnostics (GDS_BENCH_PROFILE and
 * GDS_BENCH_SANDBOX_PROFILE): start it, and the returned function stops it and gives the profile.
 */
export async function startProfile(samplingIntervalUs = 200): Promise<() => Promise<unknown>> {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params: object = {}) => new Promise<unknown>((resolve, reject) => session.post(method, params, (err, value) => (err ? reject(err) : resolve(value))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    return profile;
  };
}
