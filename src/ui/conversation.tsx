import type { Child, FC } from 'hono/jsx';
import { stringifyJson } from '../core/json';

/**
 * A Messages request and its answer, drawn as a conversation. Everything here came from a
 * client or an upstream: it is only ever rendered as escaped text (hono/jsx escapes), images only
 * as data: URLs of raster types, and no URL from a body ever becomes a link.
 */

type Block = { type?: unknown; [key: string]: unknown };
type Message = { role?: unknown; content?: unknown };

const RASTER = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function blocksOf(content: unknown): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter((block): block is Block => !!block && typeof block === 'object') : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : stringifyJson(value, '  ');
}

/** Long text is shown in part, the rest behind a disclosure. */
const Text: FC<{ text: string }> = ({ text }) => {
  if (text.length <= 3000) return <div class="text">{text}</div>;
  return (
    <div>
      <div class="text">{text.slice(0, 1200)}</div>
      <details>
        <summary>{`Show all ${text.length.toLocaleString('en-US')} characters`}</summary>
        <div class="text">{text}</div>
      </details>
    </div>
  );
};

const Image: FC<{ block: Block }> = ({ block }) => {
  const source = (block.source ?? {}) as { type?: string; media_type?: string; data?: string; url?: string };
  if (source.type === 'base64' && typeof source.data === 'string' && RASTER.has(source.media_type ?? '') && BASE64.test(source.data)) {
    return <img class="thumb" alt="attachment from the conversation" src={`data:${source.media_type};base64,${source.data}`} />;
  }
  if (source.type === 'url') return <p class="muted">{`[image at ${str(source.url)}, not loaded]`}</p>;
  return <p class="muted">{`[image: ${str(source.type)} ${str(source.media_type)}]`}</p>;
};

function resultText(result: Block): string {
  const content = result.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((inner: Block) => (inner?.type === 'text' ? str(inner.text) : inner?.type === 'image' ? '[image]' : `[${str(inner?.type)}]`)).join('\n');
  }
  return '';
}

const ToolResult: FC<{ result: Block }> = ({ result }) => {
  const images = Array.isArray(result.content) ? (result.content as Block[]).filter((inner) => inner?.type === 'image') : [];
  return (
    <div class={result.is_error ? 'result error' : 'result'}>
      <span class="muted">{result.is_error ? '↳ error' : '↳ result'}</span>
      <Text text={resultText(result) || '(empty)'} />
      {images.map((image) => (
        <Image block={image} />
      ))}
    </div>
  );
};

export interface Pairing {
  /** tool_use id → its result, from anywhere in the request. */
  results: Map<string, Block>;
  /** tool_use id → the call, from anywhere in the request or answer. */
  calls: Map<string, Block>;
  /** Results already drawn under their call. */
  drawn: Set<string>;
}

export function pairTools(messages: Message[], answer: Block[]): Pairing {
  const results = new Map<string, Block>();
  const calls = new Map<string, Block>();
  for (const message of messages) {
    for (const block of blocksOf(message.content)) {
      if (block.type === 'tool_result' && typeof block.tool_use_id === 'string') results.set(block.tool_use_id, block);
      if (block.type === 'tool_use' && typeof block.id === 'string') calls.set(block.id, block);
    }
  }
  for (const block of answer) if (block.type === 'tool_use' && typeof block.id === 'string') calls.set(block.id, block);
  return { results, calls, drawn: new Set() };
}

const BlockView: FC<{ block: Block; pairing: Pairing }> = ({ block, pairing }) => {
  switch (block.type) {
    case 'text':
      return <Text text={str(block.text)} />;
    case 'image':
      return <Image block={block} />;
    case 'thinking':
      return (
        <details class="thinking">
          <summary>Thinking</summary>
          <Text text={str(block.thinking)} />
        </details>
      );
    case 'redacted_thinking':
      return <p class="muted">[redacted thinking]</p>;
    case 'tool_use': {
      const id = str(block.id);
      const result = pairing.results.get(id);
      if (result) pairing.drawn.add(id);
      return (
        <div class="tool">
          <span class="name">{str(block.name)}</span> <span class="muted">{id}</span>
          <pre>{stringifyJson(block.input ?? {}, '  ')}</pre>
          {result ? <ToolResult result={result} /> : <p class="muted">no result in this request</p>}
        </div>
      );
    }
    case 'tool_result': {
      const id = str(block.tool_use_id);
      if (pairing.drawn.has(id)) return null;
      const call = pairing.calls.get(id);
      return (
        <div class="tool">
          <span class="muted">result of </span>
          <span class="name">{call ? str(call.name) : 'an unknown call'}</span> <span class="muted">{id}</span>
          {call && (
            <details>
              <summary>call input</summary>
              <pre>{stringifyJson(call.input ?? {}, '  ')}</pre>
            </details>
          )}
          <ToolResult result={block} />
        </div>
      );
    }
    case 'document': {
      const source = (block.source ?? {}) as { type?: string; media_type?: string; data?: unknown };
      return (
        <div class="tool">
          <span class="muted">{`document ${str(block.title)} (${str(source.media_type ?? source.type)})`}</span>
          {source.type === 'text' && <Text text={str(source.data)} />}
        </div>
      );
    }
    default:
      return (
        <details>
          <summary>{`${str(block.type)} block`}</summary>
          <pre>{stringifyJson(block, '  ')}</pre>
        </details>
      );
  }
};

const MessageView: FC<{ message: Message; pairing: Pairing; label?: string }> = ({ message, pairing, label }) => {
  const role = ['user', 'assistant', 'system'].includes(str(message.role)) ? str(message.role) : 'user';
  // Results already drawn under their calls are not repeated.
  const blocks = blocksOf(message.content).filter((block) => !(block.type === 'tool_result' && pairing.drawn.has(str(block.tool_use_id))));
  return (
    <section class={`message ${role}`}>
      <div class="role">{label ?? role}</div>
      {blocks.length === 0 ? (
        <p class="muted">tool results, shown with their calls above</p>
      ) : (
        blocks.map((block) => <BlockView block={block} pairing={pairing} />)
      )}
    </section>
  );
};

/** Messages in this request that were not in the previous turn's: Claude Code resends the whole history. */
export function firstNewMessage(current: Message[], previous: Message[] | null): number {
  if (!previous) return 0;
  // cache_control markers move from turn to turn: they do not make a message new.
  const normalize = (message: Message) => stringifyJson(message, '', (key) => key === 'cache_control');
  let i = 0;
  while (i < current.length && i < previous.length && normalize(current[i]!) === normalize(previous[i]!)) i++;
  return i;
}

export interface ConversationProps {
  request: unknown;
  response: unknown;
  /** Index of the first message to show; earlier ones are behind the "full history" link. */
  from: number;
  fullHistoryHref?: string;
}

export const Conversation: FC<ConversationProps> = ({ request, response, from, fullHistoryHref }) => {
  if (!request || typeof request !== 'object') {
    return (
      <p class="notice">
        {typeof request === 'string'
          ? 'The request body was cut to fit the row and cannot be drawn; see the raw request below.'
          : 'No request body was stored for this trace.'}
      </p>
    );
  }
  const body = request as { system?: unknown; tools?: unknown; messages?: unknown };
  const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
  const answer = response && typeof response === 'object' ? blocksOf((response as { content?: unknown }).content) : [];
  const pairing = pairTools(messages, answer);
  const system =
    typeof body.system === 'string'
      ? body.system
      : blocksOf(body.system)
          .map((block) => str(block.text))
          .join('\n\n');
  const tools = Array.isArray(body.tools) ? (body.tools as Block[]) : [];
  const shown = messages.slice(from);
  let children: Child[] = [];
  if (from > 0) {
    children.push(
      <p class="notice">
        {`Showing what is new since the previous turn: messages ${from + 1}–${messages.length} of ${messages.length}. `}
        {fullHistoryHref && <a href={fullHistoryHref}>Show the full history</a>}
      </p>,
    );
  }
  children = children.concat(shown.map((message) => <MessageView message={message} pairing={pairing} />));
  return (
    <div>
      {system && (
        <details>
          <summary>{`System prompt (${system.length.toLocaleString('en-US')} characters)`}</summary>
          <div class="text">{system}</div>
        </details>
      )}
      {tools.length > 0 && (
        <details>
          <summary>{`Tools (${tools.length})`}</summary>
          <ul>
            {tools.map((tool) => (
              <li>
                <span class="name">{str(tool.name)}</span> <span class="muted">{str(tool.description).slice(0, 200)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {children}
      <h2>Answer</h2>
      {answer.length > 0 ? (
        <MessageView message={{ role: 'assistant', content: answer }} pairing={pairing} label="assistant (answer)" />
      ) : (
        <p class="muted">No answer was recorded.</p>
      )}
    </div>
  );
};
