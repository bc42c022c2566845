/** The range picker and the filter bar (inline syntax errors, field autocomplete). */
import { useEffect, useRef, useState } from 'react';
import type { FilterErrorDetails } from '../api';
import { DEFAULT_RANGE, RANGES } from '../ranges';
import { setQuery } from '../router';

export { DEFAULT_RANGE, RANGES };

/** "YYYY-MM-DDTHH:MM" in UTC, the value of a datetime-local input. */
function inputTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16);
}

/**
 * Range select (presets), plus "custom…" with from/to inputs in UTC. A custom FROM..TO range
 * (typed here or from brush zoom) shows as its own option.
 */
export function RangePicker({ range }: { range: string }) {
  const custom = !(RANGES as readonly string[]).includes(range);
  const [editing, setEditing] = useState(false);
  const [from, to] = custom ? range.split('..').map(Number) : [Number.NaN, Number.NaN];
  const now = Date.now() / 1000;
  const [fromText, setFromText] = useState(inputTime(Number.isFinite(from) ? from : now - 86_400));
  const [toText, setToText] = useState(inputTime(Number.isFinite(to) ? to : now));
  const apply = () => {
    const f = Date.parse(`${fromText}:00Z`) / 1000;
    const t = Date.parse(`${toText}:00Z`) / 1000;
    if (Number.isFinite(f) && Number.isFinite(t) && f < t) {
      setEditing(false);
      setQuery({ range: `${f}..${t}`, after: undefined, page: undefined });
    }
  };
  return (
    <span className="range">
      <label>
        <span className="sr-only">Time range</span>
        <select
          value={editing ? 'custom' : range}
          data-testid="range"
          onChange={(e) => {
            if (e.target.value === 'custom') return setEditing(true);
            setEditing(false);
            setQuery({
              range: e.target.value === DEFAULT_RANGE ? undefined : e.target.value,
              after: undefined,
              page: undefined,
            });
          }}
        >
          {custom && <option value={range}>{customLabel(range)}</option>}
          {RANGES.map((r) => (
            <option key={r} value={r}>
              {r === 'all' ? 'all time' : `last ${r}`}
            </option>
          ))}
          <option value="custom">custom…</option>
        </select>
      </label>
      {editing && (
        <form
          className="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <input
            type="datetime-local"
            value={fromText}
            onChange={(e) => setFromText(e.target.value)}
            aria-label="from (UTC)"
          />
          <span>→</span>
          <input
            type="datetime-local"
            value={toText}
            onChange={(e) => setToText(e.target.value)}
            aria-label="to (UTC)"
          />
          <span className="muted">UTC</span>
          <button type="submit">Apply</button>
        </form>
      )}
    </span>
  );
}

function customLabel(range: string): string {
  const [from, to] = range.split('..').map(Number);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return range;
  const f = (s: number) => new Date(s * 1000).toISOString().slice(5, 19).replace('T', ' ');
  return `${f(from)} → ${f(to)}`;
}

/** Field names of docs/filter-language.md, for autocomplete. */
export const FILTER_FIELDS = [
  'host',
  'net',
  'port',
  'proto',
  'ipver',
  'vlan',
  'bytes',
  'packets',
  'frame_bytes',
  'fwd_bytes',
  'rev_bytes',
  'fwd_packets',
  'rev_packets',
  'duration',
  'flags',
  'state',
  'end_reason',
  'fragments',
  'tunnel',
  'tunnel_id',
  'source',
  'exporter',
  'sampling',
  'app',
  'sni',
  'http_host',
  'dns',
  'country',
  'asn',
  'as_name',
  'tag',
  'threat',
  'community_id',
  'ingest',
  'src',
  'dst',
  'tcp',
  'udp',
  'icmp',
  'and',
  'or',
  'not',
];

/** The word being typed at the caret: its start and text. */
function wordAt(text: string, caret: number): { start: number; word: string } {
  let start = caret;
  while (start > 0 && /[A-Za-z_]/.test(text[start - 1])) start--;
  return { start, word: text.slice(start, caret) };
}

export const filterInputId = 'filter-input';

export function FilterBar(props: {
  value: string;
  error?: { message: string; details?: FilterErrorDetails };
}) {
  const [text, setText] = useState(props.value);
  const [caret, setCaret] = useState(0);
  const [picked, setPicked] = useState(0);
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setText(props.value), [props.value]);

  const { start, word } = wordAt(text, caret);
  const suggestions =
    open && word.length > 0
      ? FILTER_FIELDS.filter((f) => f.startsWith(word.toLowerCase()) && f !== word).slice(0, 8)
      : [];

  const apply = () => {
    setOpen(false);
    setQuery({ filter: text.trim() || undefined, after: undefined });
  };
  const complete = (field: string) => {
    const next = `${text.slice(0, start)}${field} ${text.slice(caret)}`;
    setText(next);
    setOpen(false);
    requestAnimationFrame(() => {
      input.current?.focus();
      const at = start + field.length + 1;
      input.current?.setSelectionRange(at, at);
      setCaret(at);
    });
  };

  const column = props.error?.details?.column;
  return (
    <div className="filter-bar">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <input
          id={filterInputId}
          ref={input}
          data-testid="filter"
          className={props.error ? 'invalid' : ''}
          value={text}
          spellCheck={false}
          autoComplete="off"
          placeholder='Filter, e.g. tcp and dst port 443 — press "/" to focus, Enter to apply'
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? 'filter-error' : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart ?? e.target.value.length);
            setOpen(true);
            setPicked(0);
          }}
          onKeyDown={(e) => {
            if (suggestions.length > 0 && (e.key === 'Tab' || (e.key === 'Enter' && picked >= 0 && open))) {
              if (e.key === 'Tab' || picked > 0) {
                e.preventDefault();
                complete(suggestions[Math.max(0, picked)]);
                return;
              }
            }
            if (e.key === 'ArrowDown' && suggestions.length > 0) {
              e.preventDefault();
              setPicked((p) => Math.min(p + 1, suggestions.length - 1));
            } else if (e.key === 'ArrowUp' && suggestions.length > 0) {
              e.preventDefault();
              setPicked((p) => Math.max(p - 1, 0));
            } else if (e.key === 'Escape') {
              setOpen(false);
              input.current?.blur();
            }
          }}
          onKeyUp={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onClick={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
        />
        <button type="submit">Apply</button>
        {props.value && (
          <button
            type="button"
            className="quiet"
            onClick={() => setQuery({ filter: undefined, after: undefined })}
          >
            Clear
          </button>
        )}
      </form>
      {suggestions.length > 0 && (
        <ul className="suggestions">
          {suggestions.map((s, i) => (
            <li key={s}>
              <button
                type="button"
                tabIndex={-1}
                className={i === picked ? 'picked' : ''}
                onMouseDown={() => complete(s)}
              >
                {s}
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.error && (
        <div id="filter-error" className="filter-error" data-testid="filter-error" role="alert">
          {column !== undefined && (
            <pre aria-hidden="true">
              {props.value}
              {'\n'}
              {`${' '.repeat(Math.max(0, column - 1))}^`}
            </pre>
          )}
          <span>{props.error.message}</span>
          {props.error.details?.suggestion && (
            <span>
              {' '}
              — did you mean <code>{props.error.details.suggestion}</code>?
            </span>
          )}
        </div>
      )}
    </div>
  );
}
