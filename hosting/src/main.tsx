import { render } from 'preact';
import { App, preloadFirstPage } from './App.tsx';
import { startInstallableApp } from './pwa/register.ts';
import { watchSession } from './session.ts';
import './styles.css';

watchSession();
preloadFirstPage();
startInstallableApp();
render(<App />, document.getElementById('app')!);
