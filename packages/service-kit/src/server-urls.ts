/**
 * A setting holding a JSON object from a database server's key (its id or name) to the admin URL a
 * service reaches that server's tenant databases with: the map, and what is wrong with the setting.
 */
export function parseServerUrls(
  setting: string,
  raw: string,
  opts: { key: string; consequence?: string },
): { map: ReadonlyMap<string, string>; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {
      map: new Map(),
      problems: [`${setting} is not JSON; give an object such as {"<${opts.key}>":"postgres://..."}`],
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { map: new Map(), problems: [`${setting} must be a JSON object from ${opts.key} to URL`] };
  const map = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, url] of Object.entries(parsed)) {
    if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url))
      problems.push(
        `${setting} gives server ${key} something that is not a postgres:// URL${opts.consequence ? `: ${opts.consequence}` : ''}`,
      );
    else map.set(key, url);
  }
  return { map, problems };
}
