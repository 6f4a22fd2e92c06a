import { httpHandlers } from '../http.ts';
import { handleBrowserRequest } from './handler.ts';

// Importing this module serves the data browser (/browser) on the emulator's HTTP/1.1 side.

let defaultProject = 'demo-esp32-cloud';

/** The project the browser opens when the URL names none (start() sets it). */
export function setBrowserDefaultProject(projectId: string): void {
  defaultProject = projectId;
}

httpHandlers.push((request, response, service) =>
  handleBrowserRequest(request, response, service, () => defaultProject),
);
