// Every binding option x every transport, decided here and nowhere else: a cell is either honoured (and says how)
// or refused at admission with an error code. The front door (admit) enforces the refusals from this table, the
// README's "Binding options per transport" table is rendered from it (test/readme-options.test.ts keeps them
// equal), and test/ingest/conformance.test.ts runs one case per cell through the real routes.
//
// Adding a transport (a Kafka-protocol listener, issue 15) means adding its name to TRANSPORTS: every row then
// lacks a cell, which `satisfies` below turns into a type error, and the conformance test demands a case for
// each new cell. A transport that silently ignores an option is a security bug (issue 11: signed bindings were
// writable unsigned over WebSocket); this table is what keeps that from happening again.
import type { Binding } from '../catalog/model.js';
import { ERRORS, type ErrorSpec } from '../errors.js';

export const TRANSPORTS = ['webhook', 'websocket'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export type Cell =
  | { readonly honoured: string }
  | {
      readonly refused: ErrorSpec;
      /** 'always': whenever the binding uses the option; 'with-header': when the request carries its header. */
      readonly when: 'always' | 'with-header';
      readonly why: string;
    };

export interface OptionRow {
  /** How the option is written in a catalog, for the README. */
  readonly label: string;
  /** True when a binding uses the option: only those rows can refuse it. */
  readonly uses: (binding: Binding) => boolean;
  /** The request header carrying the option's per-request value (the 'with-header' refusals look for it). */
  readonly header?: (binding: Binding) => string | undefined;
  readonly cells: { readonly [T in Transport]: Cell };
}

const always = true;
const REFUSED = ERRORS.ADMIT_TRANSPORT_REFUSED;

export const BINDING_OPTIONS = {
  tokens: {
    label: '`tokens`',
    uses: (b) => b.tokens.tokens !== undefined,
    cells: {
      webhook: {
        honoured:
          '`Authorization: Bearer` or `?token=`, before the body; 401 `TRIB_AUTH_MISSING_TOKEN` (`WWW-Authenticate: Bearer`), 403 `TRIB_AUTH_BAD_TOKEN`',
      },
      websocket: {
        honoured:
          'on the handshake: `Authorization: Bearer`, subprotocol `bearer.<t>` or `?token=`; same codes; re-checked on catalog reload (close 1008)',
      },
    },
  },
  allowedOrigins: {
    label: '`allowedOrigins`',
    uses: () => always,
    cells: {
      webhook: {
        honoured: 'CORS for listed origins; any other `Origin` 403 `TRIB_AUTH_ORIGIN_NOT_ALLOWED`',
      },
      websocket: { honoured: '`Origin` checked on the handshake; 403 `TRIB_AUTH_ORIGIN_NOT_ALLOWED`' },
    },
  },
  signature: {
    label: '`signature` (every scheme)',
    uses: (b) => b.signature !== undefined,
    cells: {
      webhook: {
        honoured:
          'verified on the raw body before decoding; 401 `TRIB_AUTH_SIGNATURE_*` with `WWW-Authenticate` naming the headers',
      },
      websocket: {
        refused: REFUSED,
        when: 'always',
        why: 'a signature covers one request body and a stream has none: signed bindings take signed POSTs only',
      },
    },
  },
  deduplicateHeader: {
    label: '`deduplicate: { header }`',
    uses: (b) => b.deduplicate?.header !== undefined,
    header: (b) => b.deduplicate?.header,
    cells: {
      webhook: {
        honoured: 'one delivery per request; a repeat is answered 200 `duplicate` and not produced',
      },
      websocket: {
        refused: REFUSED,
        when: 'with-header',
        why: 'one handshake header cannot identify each frame; put the id in the documents and deduplicate by pointer',
      },
    },
  },
  deduplicatePointer: {
    label: '`deduplicate: { pointer }`',
    uses: (b) => b.deduplicate?.pointer !== undefined,
    cells: {
      webhook: { honoured: 'each document is a delivery; repeats dropped, `duplicates` counts them' },
      websocket: { honoured: 'the same, per frame; the `ok` answer counts `duplicates`' },
    },
  },
  idFromHeader: {
    label: '`idFromHeader`',
    uses: (b) => b.idFromHeader !== undefined,
    header: (b) => b.idFromHeader,
    cells: {
      webhook: {
        honoured: 'the header becomes `_meta.webhookId` (suffixed `/<index>`); without it, the uuid',
      },
      websocket: {
        refused: REFUSED,
        when: 'with-header',
        why: 'one handshake header cannot name thousands of frames; without the header documents get their uuid, as a POST without it',
      },
    },
  },
  keepHeaders: {
    label: '`keepHeaders`',
    uses: (b) => b.keepHeaders.length > 0,
    cells: {
      webhook: { honoured: "the request's headers in `_meta.headers` (never secrets)" },
      websocket: { honoured: "the handshake's headers, on every document of the connection" },
    },
  },
  deadLetter: {
    label: '`deadLetter`',
    uses: (b) => b.deadLetter !== undefined,
    cells: {
      webhook: {
        honoured:
          'each body refused after admission (4xx, not 401) is written to the topic after the answer: body up to `maxBodyBytes`, kept headers, problem; unauthenticated refusals counted, never written',
      },
      websocket: {
        honoured:
          "each rejected frame is an entry (its bytes, binary or text), with the handshake's kept headers; refused handshakes counted, never written",
      },
    },
  },
  pathParams: {
    label: '`path` with `{param}`',
    uses: (b) => b.path.includes('{'),
    cells: {
      webhook: { honoured: '`_meta.pathParams`' },
      websocket: { honoured: "`_meta.pathParams` from the handshake's path" },
    },
  },
  rateLimit: {
    label: '`rateLimit`',
    uses: (b) => b.rateLimit !== undefined,
    cells: {
      webhook: {
        honoured: 'requests per window, before the body; 429 `TRIB_RATE_LIMITED` with `Retry-After`',
      },
      websocket: {
        refused: REFUSED,
        when: 'always',
        why: "rateLimit counts requests, and a stream's frames are not requests: stream to a binding without one (its window bounds the stream)",
      },
    },
  },
  bodyLimit: {
    label: 'body size (`--body-limit`, `--decoded-body-limit`, `--ws-max-payload`)',
    uses: () => always,
    cells: {
      webhook: {
        honoured:
          '413 `TRIB_DECODE_BODY_TOO_LARGE`, from `Content-Length` before the body (no `100 Continue`)',
      },
      websocket: { honoured: 'a message over `--ws-max-payload` closes the connection with 1009' },
    },
  },
  documentLimit: {
    label: 'documents per request (`--max-documents`)',
    uses: () => always,
    cells: {
      webhook: { honoured: '413 `TRIB_DECODE_TOO_MANY_DOCUMENTS`' },
      websocket: { honoured: 'per frame: `rejected` `TRIB_DECODE_TOO_MANY_DOCUMENTS`' },
    },
  },
  depthLimit: {
    label: 'JSON depth (`--max-json-depth`)',
    uses: () => always,
    cells: {
      webhook: { honoured: '400 `TRIB_DECODE_TOO_DEEP`' },
      websocket: { honoured: 'per frame: `rejected` `TRIB_DECODE_TOO_DEEP`' },
    },
  },
  recordLimit: {
    label: 'record size (`--max-record-bytes`)',
    uses: () => always,
    cells: {
      webhook: { honoured: '413 `TRIB_KAFKA_RECORD_TOO_LARGE`' },
      websocket: { honoured: 'per frame: `rejected` `TRIB_KAFKA_RECORD_TOO_LARGE`' },
    },
  },
  reservedMeta: {
    label: 'reserved `_meta`',
    uses: () => always,
    cells: {
      webhook: { honoured: '400 `TRIB_VALIDATE_RESERVED_META`' },
      websocket: { honoured: 'per frame: `rejected` `TRIB_VALIDATE_RESERVED_META`' },
    },
  },
  queryKeys: {
    label: '`__proto__` in the query',
    uses: () => always,
    cells: {
      webhook: { honoured: '400 `TRIB_DECODE_FORBIDDEN_KEY`, before the body' },
      websocket: { honoured: 'on the handshake: 400 `TRIB_DECODE_FORBIDDEN_KEY`' },
    },
  },
} as const satisfies Record<string, OptionRow>;

export type BindingOption = keyof typeof BINDING_OPTIONS;

export const OPTION_NAMES = Object.keys(BINDING_OPTIONS) as BindingOption[];

export function isRefused(cell: Cell): cell is Extract<Cell, { refused: ErrorSpec }> {
  return 'refused' in cell;
}

/** What admission checks for one binding on one transport: the refusals that apply to it, found once. */
export interface Refusal {
  option: BindingOption;
  spec: ErrorSpec;
  /** Set for 'with-header' refusals: refused only when the request carries this header. */
  header: string | undefined;
  detail: string;
}

const refusalCache = new WeakMap<Binding, Map<Transport, readonly Refusal[]>>();

/** The table's refusals for `binding` on `transport`; computed on first use per binding (catalog objects). */
export function refusalsFor(binding: Binding, transport: Transport): readonly Refusal[] {
  let byTransport = refusalCache.get(binding);
  if (byTransport === undefined) {
    byTransport = new Map();
    refusalCache.set(binding, byTransport);
  }
  let refusals = byTransport.get(transport);
  if (refusals === undefined) {
    const found: Refusal[] = [];
    for (const option of OPTION_NAMES) {
      const row: OptionRow = BINDING_OPTIONS[option];
      const cell = row.cells[transport];
      if (!isRefused(cell) || !row.uses(binding)) continue;
      found.push({
        option,
        spec: cell.refused,
        header: cell.when === 'with-header' ? row.header?.(binding) : undefined,
        detail: `binding ${binding.capture}/${binding.name} uses ${row.label.replace(/`/g, '')}, which ${transport} cannot honour: ${cell.why}`,
      });
    }
    refusals = found;
    byTransport.set(transport, refusals);
  }
  return refusals;
}

/** The README's table, rendered from BINDING_OPTIONS (the README holds exactly this text between its markers). */
export function renderOptionTable(): string {
  const header = `| Option | ${TRANSPORTS.join(' | ')} |`;
  const rule = `| --- | ${TRANSPORTS.map(() => '---').join(' | ')} |`;
  const rows = OPTION_NAMES.map((option) => {
    const row: OptionRow = BINDING_OPTIONS[option];
    const cells = TRANSPORTS.map((t) => {
      const cell = row.cells[t];
      if (!isRefused(cell)) return `honoured: ${cell.honoured}`;
      const when = cell.when === 'always' ? '' : ' when the handshake carries the header';
      return `**refused**${when}: ${cell.refused.status} \`${cell.refused.code}\` (${cell.why})`;
    });
    return `| ${row.label} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
