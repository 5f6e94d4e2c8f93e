import type { AccountViewer, AdminViewer, AuthenticatedViewer, Viewer, WorkerViewer } from '../context';
import { forbidden, unauthenticated } from './errors';

/** The caller's account; account-scoped operations are not open to the platform administrator or to anonymous callers. */
export function requireAccount(viewer: Viewer): AccountViewer {
  if (viewer.role === 'ACCOUNT') return viewer;
  if (viewer.role === 'ANONYMOUS') throw unauthenticated();
  throw forbidden('This operation needs an account API key; platform keys (administrator, worker) have no account.');
}

export function requireAdmin(viewer: Viewer): AdminViewer {
  if (viewer.role === 'ADMIN') return viewer;
  if (viewer.role === 'ANONYMOUS') throw unauthenticated();
  throw forbidden('This operation needs the platform administrator key.');
}

/** Platform workers only (the worker key); `purpose` says why in the FORBIDDEN message. */
export function requireWorkerKey(viewer: Viewer, purpose: string): WorkerViewer {
  if (viewer.role === 'WORKER') return viewer;
  if (viewer.role === 'ANONYMOUS') throw unauthenticated();
  throw forbidden(purpose);
}

/** Any authenticated caller, for global data such as the partner catalog. */
export function requireAuthenticated(viewer: Viewer): AuthenticatedViewer {
  if (viewer.role === 'ANONYMOUS') throw unauthenticated();
  return viewer;
}
