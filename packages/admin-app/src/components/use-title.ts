import { useEffect } from 'react';

/** Sets the page's title: "<what> · Odoo control plane". */
export function useTitle(what: string | undefined): void {
  useEffect(() => {
    document.title = what ? `${what} · Odoo control plane` : 'Odoo control plane';
  }, [what]);
}
