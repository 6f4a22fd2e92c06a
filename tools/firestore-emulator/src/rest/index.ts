import { httpHandlers } from '../http.ts';
import { handleDocumentsRequest } from './documents.ts';

// Importing this module plugs the v1 REST resource methods (documents get/list/patch/delete/create) into the
// emulator's HTTP/1.1 side; the `:method` calls are served by ../webchannel/rest.ts.

httpHandlers.push((request, response, service) => handleDocumentsRequest(request, response, service));
