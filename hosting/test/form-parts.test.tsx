// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { FormMessages } from '../src/components/FormMessages.tsx';
import { TextField } from '../src/components/TextField.tsx';

// The two parts every form is built from: the labelled text field and the messages under the form.

afterEach(cleanup);

describe('TextField', () => {
  it('is named by its label (any script), passes its attributes through and reports each edit', () => {
    const typed: string[] = [];
    render(
      <TextField
        label="ชื่ออุปกรณ์"
        name="device-name"
        type="text"
        maxLength={64}
        required
        value="โคมไฟ"
        onValue={(value) => typed.push(value)}
      />,
    );
    const input = screen.getByLabelText('ชื่ออุปกรณ์') as HTMLInputElement;
    expect(input.value).toBe('โคมไฟ');
    expect(input.name).toBe('device-name');
    expect(input.maxLength).toBe(64);
    expect(input.required).toBe(true);
    fireEvent.input(input, { target: { value: 'ห้องนอน 🛏️' } });
    expect(typed).toEqual(['ห้องนอน 🛏️']);
  });

  it('keeps the input type it is given', () => {
    render(<TextField label="Email" type="email" value="" onValue={() => {}} />);
    expect((screen.getByLabelText('Email') as HTMLInputElement).type).toBe('email');
  });
});

describe('FormMessages', () => {
  it('announces an error at once and a notice politely, and shows nothing without either', () => {
    const { rerender, container } = render(<FormMessages />);
    expect(container.textContent).toBe('');
    rerender(<FormMessages error="รหัสไม่ถูกต้อง" notice="Saved" />);
    expect(screen.getByRole('alert').textContent).toBe('รหัสไม่ถูกต้อง');
    expect(screen.getByRole('status').textContent).toBe('Saved');
  });
});
