import { lazy, Suspense, type ReactNode } from 'react';
import { canGenerate, isAdmin, useAuth } from './auth';
import { Link, useLocation } from './lib/router';
import { AuditPage } from './pages/AuditPage';
import { DocumentsPage } from './pages/DocumentsPage';
import { JobsPage } from './pages/JobsPage';
import { OnCallPage } from './pages/OnCallPage';
import { SignInPage } from './pages/SignInPage';
import { VersionsPage } from './pages/VersionsPage';

// Pages that pull in CodeMirror, pdf.js or rjsf load on demand.
const PreviewPage = lazy(() => import('./pages/PreviewPage').then((m) => ({ default: m.PreviewPage })));
const DraftsPage = lazy(() => import('./pages/DraftsPage').then((m) => ({ default: m.DraftsPage })));
const ValidatorPage = lazy(() => import('./pages/ValidatorPage').then((m) => ({ default: m.ValidatorPage })));
const DocumentEditorPage = lazy(() => import('./pages/DocumentEditorPage').then((m) => ({ default: m.DocumentEditorPage })));
const TestRunsPage = lazy(() => import('./pages/TestRunsPage').then((m) => ({ default: m.TestRunsPage })));
const OperationsPage = lazy(() => import('./pages/OperationsPage').then((m) => ({ default: m.OperationsPage })));

function NotAllowed({ need }: { need: string }) {
  return (
    <div className="alert alert-warning" role="alert">
      This page needs the {need} role.
    </div>
  );
}

export function App() {
  const { role, checking, signOut } = useAuth();
  const { segments } = useLocation();
  if (checking) return <p className="container py-5" aria-busy="true">Checking the token…</p>;
  if (!role) return <SignInPage />;

  const [page = 'documents', arg, action] = segments;
  let content: ReactNode;
  if (page === 'documents' && arg && action === 'edit') content = isAdmin(role) ? <DocumentEditorPage id={arg} /> : <NotAllowed need="admin" />;
  else if (page === 'documents') content = <DocumentsPage />;
  else if (page === 'jobs') content = <JobsPage />;
  else if (page === 'oncall') content = <OnCallPage />;
  else if (page === 'versions') content = <VersionsPage />;
  else if (page === 'preview') content = canGenerate(role) ? <PreviewPage /> : <NotAllowed need="generator" />;
  else if (page === 'validator') content = <ValidatorPage />;
  else if (page === 'drafts') content = isAdmin(role) ? <DraftsPage /> : <NotAllowed need="admin" />;
  else if (page === 'test-runs') content = <TestRunsPage />;
  else if (page === 'audit') content = isAdmin(role) ? <AuditPage /> : <NotAllowed need="admin" />;
  else if (page === 'operations') content = isAdmin(role) ? <OperationsPage /> : <NotAllowed need="admin" />;
  else content = <p>There is no such page.</p>;

  const nav: { to: string; label: string; show: boolean }[] = [
    { to: 'documents', label: 'Documents', show: true },
    { to: 'jobs', label: 'Jobs', show: true },
    { to: 'oncall', label: 'On call', show: true },
    { to: 'versions', label: 'Versions', show: true },
    { to: 'preview', label: 'Package preview', show: canGenerate(role) },
    { to: 'validator', label: 'Validator', show: true },
    { to: 'drafts', label: 'Drafts', show: isAdmin(role) },
    { to: 'test-runs', label: 'Test runs', show: true },
    { to: 'audit', label: 'Audit log', show: isAdmin(role) },
    { to: 'operations', label: 'Operations', show: isAdmin(role) },
  ];

  return (
    <>
      <a className="visually-hidden-focusable" href="#main">
        Skip to content
      </a>
      <header className="navbar navbar-expand bg-body-tertiary border-bottom mb-3">
        <nav className="container-fluid" aria-label="Main">
          <span className="navbar-brand">docgen</span>
          <ul className="navbar-nav me-auto">
            {nav
              .filter((n) => n.show)
              .map((n) => (
                <li className="nav-item" key={n.to}>
                  <Link className={`nav-link${page === n.to ? ' active' : ''}`} aria-current={page === n.to ? 'page' : undefined} to={n.to}>
                    {n.label}
                  </Link>
                </li>
              ))}
          </ul>
          <span className="badge text-bg-secondary me-2" aria-label={`Signed in as ${role}`}>
            {role}
          </span>
          <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => signOut()}>
            Sign out
          </button>
        </nav>
      </header>
      <main id="main" className="container-fluid pb-5" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>{content}</Suspense>
      </main>
    </>
  );
}
