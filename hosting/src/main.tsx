import { render } from 'preact';
import { App } from './App.tsx';
import { startInstallableApp } from './pwa/register.ts';
import { watchSession } from './session.ts';
import './styles.css';

watchSession();
startInstallableApp();
render(<App />, document.getElementById('app')!);
