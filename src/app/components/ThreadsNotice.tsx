// Shown when the page is not cross-origin isolated: the models then run on one CPU thread.
import { isolated } from '../generate-client.ts';

export function ThreadsNotice() {
  if (isolated()) return null;
  return (
    <p className="notice" role="note" data-testid="threads-notice">
      Music is made on one CPU thread in this tab, so it takes longer than it could. The site has to be served with the
      headers listed in the README (“Hosting”) to use more.
    </p>
  );
}
