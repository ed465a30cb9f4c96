// Which redirects a request may follow (issue 4, and the fourth outside review):
// only those that keep the request as it was. Same origin (the key is only ever
// sent where it was addressed), no credentials in the URL, the same method (a 303,
// or a 301/302 of anything but a GET, would turn a PATCH into a GET that
// "succeeds"), and the same resource: the API's base path may move, but a PATCH of
// one connector redirected to another would change the wrong phone line, and a
// read would answer for another agent.

/** At most this many redirects per attempt. @internal */
export const MAX_REDIRECTS = 5;

/** What a redirect would do. @internal */
export interface RedirectCase {
  readonly method: string;
  readonly status: number;
  /** Where the request was first addressed. */
  readonly addressed: URL;
  /** The Location, resolved; undefined when absent or unreadable (an opaque redirect). */
  readonly target: URL | undefined;
  /** Redirects already followed in this attempt. */
  readonly hops: number;
  /** #23: the request must not take effect twice (placing a call). */
  readonly atMostOnce?: boolean | undefined;
}

/** Why the redirect must not be followed, or undefined when it may be. @internal */
export function refuseRedirect({
  method,
  status,
  addressed,
  target,
  hops,
  atMostOnce,
}: RedirectCase): string | undefined {
  // #23: following replays the request; sent once, it reaches the server once.
  if (atMostOnce)
    return `a ${status} redirect of a request that must not be sent twice; it was sent once, and the server answered with the redirect`;
  if (!target) return "a redirect whose target cannot be read";
  if (target.origin !== addressed.origin)
    return `a redirect to another origin (${target.origin}); the API key is only ever sent to ${addressed.origin}`;
  if (target.username || target.password) return "a redirect to a URL with credentials";
  const read = method === "GET" || method === "HEAD";
  if (!read && (status === 301 || status === 302 || status === 303))
    return `a ${status} redirect, which would turn ${method} into GET`;
  if (!target.pathname.endsWith(addressed.pathname))
    return `a redirect of a ${method} to another resource (${target.pathname}); a request goes only where it was addressed`;
  if (hops >= MAX_REDIRECTS) return `more than ${MAX_REDIRECTS} redirects`;
  return undefined;
}

/** The redirect's target, resolved against the URL it came from. @internal */
export function redirectTarget(location: string | null, from: string): URL | undefined {
  if (location === null) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}
