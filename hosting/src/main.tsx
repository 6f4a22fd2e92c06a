import { render } from 'preact';
import { App } from './App.tsx';
import { watchSession } from './session.ts';
import './styles.css';

watchSession();
render(<App />, document.getElementById('app')!);
