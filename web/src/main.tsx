/**
 * The dashboard's entry, kept small: on `/` it starts the overview's requests (and the map's
 * chunk) first, then loads the rest of the dashboard (app-root.tsx), whose script the browser
 * parses while the server answers.
 */
import { prefetchOverview } from './pages/overview-requests';
import './styles.css';

if (window.location.pathname === '/') prefetchOverview(new URLSearchParams(window.location.search));

void import('./app-root');
