import { validateWithoutEval } from '@esp32cloud/protocol';

// Imported first by main.tsx, so it runs before any module parses anything: the app's CSP forbids eval.
validateWithoutEval();
