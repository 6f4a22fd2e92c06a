import type { ComponentChildren, InputHTMLAttributes, PartialInputHTMLAttributes } from 'preact';

/** The kinds of typed-in text the app asks for. */
export type TextFieldType = 'text' | 'email' | 'password' | 'search' | 'number' | 'tel' | 'url';

type InputAttributes = Omit<
  PartialInputHTMLAttributes<HTMLInputElement>,
  'value' | 'onInput' | 'label' | 'type' | 'role'
>;

/**
 * The one labelled text input of the app. The label wraps the input, so the label names the field for screen
 * readers and a tap on it focuses the field; every other input attribute passes through.
 */
export function TextField(
  props: InputAttributes & {
    label: ComponentChildren;
    type?: TextFieldType;
    value: string;
    onValue: (value: string) => void;
  },
) {
  const { label, value, onValue, ...input } = props;
  return (
    <label>
      {label}
      <input
        // Preact types <input> as a union per type and ARIA role; a text type with no role fits every variant.
        {...(input as InputHTMLAttributes<HTMLInputElement>)}
        value={value}
        onInput={(event) => {
          onValue(event.currentTarget.value);
        }}
      />
    </label>
  );
}
