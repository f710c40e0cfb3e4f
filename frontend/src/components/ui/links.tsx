import type { AnchorHTMLAttributes } from 'react';
import { useHref, useLinkClickHandler, useLocation, useResolvedPath } from 'react-router';

// React Router's own <Link> and <NavLink> carry framework-mode prefetching (and, through it, route
// module loading) that this single-page app never uses; together they cost every first screen about
// 3 kB gzipped. These two keep what the app relies on, built from the router's own hooks.

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  /** An in-app path, optionally with a query string. */
  to: string;
  replace?: boolean;
}

/** An in-app link: a plain click navigates without reloading; a modified or middle click opens a tab as usual. */
export function Link({ to, replace, target, onClick, ...rest }: LinkProps) {
  const href = useHref(to);
  const navigate = useLinkClickHandler<HTMLAnchorElement>(to, { replace, target });
  return (
    <a
      {...rest}
      href={href}
      target={target}
      onClick={(event) => {
        onClick?.(event);
        if (!event.defaultPrevented) navigate(event);
      }}
    />
  );
}

/** A navigation link marked `aria-current="page"` (and class `active`) while its section is showing. */
export function NavLink({ to, className, ...rest }: LinkProps) {
  const current = useLocation().pathname.toLowerCase();
  const section = useResolvedPath(to).pathname.toLowerCase();
  const boundary = section !== '/' && section.endsWith('/') ? section.length - 1 : section.length;
  const active = current === section || (current.startsWith(section) && current.charAt(boundary) === '/');
  return (
    <Link
      {...rest}
      to={to}
      className={[className, active ? 'active' : null].filter(Boolean).join(' ')}
      aria-current={active ? 'page' : undefined}
    />
  );
}
