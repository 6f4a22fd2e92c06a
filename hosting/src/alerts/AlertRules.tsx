import {
  ALERT_SEVERITIES,
  type AlertCondition,
  type AlertRuleResponse,
  type AlertSeverity,
  CATALOGUE,
  type DeviceType,
  describeCondition,
  type ListAlertRulesResponse,
} from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { language } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { at } from './i18n.ts';

type Kind = AlertCondition['kind'];
const KINDS: Kind[] = ['offline', 'back_online', 'threshold', 'output_changed', 'no_data'];

/** The device page's alert rules (owner): the list, a form to add one, delete. */
export default function AlertRules(props: { deviceId: string; type: DeviceType }) {
  const spec = CATALOGUE[props.type];
  const rules = useSignal<AlertRuleResponse[]>([]);
  const message = useSignal('');
  const kind = useSignal<Kind>(spec.readings.length ? 'threshold' : 'offline');
  const minutes = useSignal(5);
  const reading = useSignal(spec.readings[0]?.key ?? '');
  const direction = useSignal<'above' | 'below'>('above');
  const threshold = useSignal(30);
  const hysteresis = useSignal(0.5);
  const output = useSignal(spec.outputs[0]?.key ?? '');
  const severity = useSignal<AlertSeverity>('warning');
  const name = useSignal('');
  const base = `/devices/${encodeURIComponent(props.deviceId)}/alert-rules`;
  const load = () =>
    api<ListAlertRulesResponse>('GET', base)
      .then((r) => {
        rules.value = r.rules;
      })
      .catch((error) => {
        message.value = errorMessage(error);
      });
  useEffect(() => {
    void load();
  }, [props.deviceId]);

  const condition = (): AlertCondition => {
    switch (kind.value) {
      case 'offline':
        return { kind: 'offline', minutes: minutes.value };
      case 'back_online':
        return { kind: 'back_online' };
      case 'no_data':
        return { kind: 'no_data', minutes: Math.max(1, minutes.value) };
      case 'output_changed':
        return { kind: 'output_changed', output: output.value };
      case 'threshold':
        return {
          kind: 'threshold',
          reading: reading.value,
          direction: direction.value,
          threshold: threshold.value,
          hysteresis: hysteresis.value,
          minutes: minutes.value,
        };
    }
  };
  const add = async (event: Event) => {
    event.preventDefault();
    try {
      await api('POST', base, {
        condition: condition(),
        severity: severity.value,
        ...(name.value.trim() ? { name: name.value.trim() } : {}),
      });
      message.value = '';
      name.value = '';
      await load();
    } catch (error) {
      message.value = errorMessage(error);
    }
  };
  const remove = async (rule: AlertRuleResponse) => {
    await api('DELETE', `${base}/${rule.rule_id}`).catch((error) => {
      message.value = errorMessage(error);
    });
    await load();
  };
  const kinds = KINDS.filter(
    (k) =>
      (k !== 'threshold' || spec.readings.length > 0) && (k !== 'output_changed' || spec.outputs.length > 0),
  );
  const num = (e: Event) => Number((e.currentTarget as HTMLInputElement).value);
  return (
    <section class="card" aria-labelledby="rules-title" data-testid="alert-rules">
      <h2 id="rules-title">{at('rules.title')}</h2>
      {rules.value.length === 0 && <p class="hint">{at('rules.empty')}</p>}
      <ul>
        {rules.value.map((rule) => (
          <li key={rule.rule_id} data-testid="alert-rule">
            <strong>{at(`severity.${rule.severity}`)}</strong> {rule.name ? `${rule.name}: ` : ''}
            {describeCondition(rule, language.value)}{' '}
            <button type="button" class="link" onClick={() => void remove(rule)}>
              {at('rules.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add} class="stack" data-testid="alert-rule-form">
        <label>
          {at('rules.kind')}{' '}
          <select
            data-testid="rule-kind"
            value={kind.value}
            onChange={(e) => (kind.value = e.currentTarget.value as Kind)}
          >
            {kinds.map((k) => (
              <option key={k} value={k}>
                {at(`rules.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        {kind.value === 'threshold' && (
          <div class="row">
            <label>
              {at('rules.reading')}{' '}
              <select value={reading.value} onChange={(e) => (reading.value = e.currentTarget.value)}>
                {spec.readings.map((r) => (
                  <option key={r.key} value={r.key}>
                    {
                      describeCondition(
                        {
                          condition: {
                            kind: 'threshold',
                            reading: r.key,
                            direction: 'above',
                            threshold: 0,
                            hysteresis: 0,
                            minutes: 0,
                          },
                        },
                        language.value,
                      ).split(' ')[0]
                    }
                  </option>
                ))}
              </select>
            </label>
            <label>
              {at('rules.direction')}{' '}
              <select
                value={direction.value}
                onChange={(e) => (direction.value = e.currentTarget.value as 'above' | 'below')}
              >
                <option value="above">{at('rules.above')}</option>
                <option value="below">{at('rules.below')}</option>
              </select>
            </label>
            <label>
              {at('rules.threshold')}{' '}
              <input
                data-testid="rule-threshold"
                type="number"
                step="any"
                value={threshold.value}
                onInput={(e) => (threshold.value = num(e))}
              />
            </label>
            <label>
              {at('rules.hysteresis')}{' '}
              <input
                type="number"
                step="any"
                min={0}
                value={hysteresis.value}
                onInput={(e) => (hysteresis.value = num(e))}
              />
            </label>
          </div>
        )}
        {kind.value === 'output_changed' && (
          <label>
            {at('rules.output')}{' '}
            <select value={output.value} onChange={(e) => (output.value = e.currentTarget.value)}>
              {spec.outputs.map((o) => (
                <option key={o.key} value={o.key}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        )}
        {(kind.value === 'offline' || kind.value === 'no_data' || kind.value === 'threshold') && (
          <label>
            <input type="number" min={0} value={minutes.value} onInput={(e) => (minutes.value = num(e))} />{' '}
            {at('rules.minutes')}
          </label>
        )}
        <label>
          {at('rules.severity')}{' '}
          <select
            value={severity.value}
            onChange={(e) => (severity.value = e.currentTarget.value as AlertSeverity)}
          >
            {ALERT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {at(`severity.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {at('rules.name')}{' '}
          <input value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" data-testid="rule-add">
          {at('rules.add')}
        </button>
        <p role="status" class="error">
          {message.value}
        </p>
      </form>
    </section>
  );
}
