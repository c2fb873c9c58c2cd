/**
 * The browser chat page: create a conversation over the HTTP API, then talk over the WebSocket
 * with the SDK's ConversationClient (ordered, gap-free, reconnecting).
 */
import { ConversationClient, ConversationsHttpClient, type ConversationState, type WireMessage } from '../../sdk';

const api = new ConversationsHttpClient({ baseUrl: window.location.origin });
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const errorBox = element<HTMLDivElement>('error');
const names = new Map<string, string>();
const texts = new Map<string, string>();
let myId = '';

function showError(error: unknown): void {
  errorBox.textContent = error instanceof Error ? error.message : String(error);
}

async function loadBots(): Promise<void> {
  const bots = await api.listBots();
  const box = element<HTMLDivElement>('bots');
  box.textContent = bots.length ? 'Bots: ' : 'No bots are configured.';
  for (const name of bots) {
    const label = document.createElement('label');
    label.style.display = 'inline-block';
    label.style.marginRight = '12px';
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    checkbox.value = name;
    checkbox.checked = true;
    checkbox.className = 'bot';
    label.append(checkbox, ` ${name}`);
    box.append(label);
  }
}

function renderState(state: ConversationState): void {
  const box = element<HTMLDivElement>('participants');
  box.replaceChildren();
  for (const participant of state.participants) {
    names.set(participant.id, participant.name);
    const chip = document.createElement('span');
    chip.className = `participant${participant.online ? ' online' : ''}`;
    chip.textContent = `${participant.type === 'B' ? '🤖' : '🧑'} ${participant.name}`;
    chip.title = participant.online ? 'online' : 'offline';
    box.append(chip);
  }
}

function renderMessage(message: WireMessage): void {
  const box = element<HTMLDivElement>('messages');
  const item = document.createElement('div');
  item.dataset.seq = String(message.seq ?? '');
  if (message.type === 'S') {
    item.className = 'message system';
    const who = names.get(String(message.additional_metadata?.participant_id ?? '')) ?? String(message.additional_metadata?.participant_name ?? '');
    item.textContent = `${message.event?.replace(/-/g, ' ')}${who ? `: ${who}` : ''}`;
  } else {
    item.className = `message${message.sender_id === myId ? ' mine' : ''}`;
    if (message.quoted_message_id && texts.has(message.quoted_message_id)) {
      const quote = document.createElement('div');
      quote.className = 'quote';
      quote.textContent = texts.get(message.quoted_message_id)!;
      item.append(quote);
    }
    const text = document.createElement('div');
    text.className = 'text';
    text.textContent = message.text ?? '';
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = `${names.get(message.sender_id ?? '') ?? 'someone'} · #${message.seq}`;
    item.append(text, meta);
    texts.set(message.id, message.text ?? '');
  }
  box.append(item);
  box.scrollTop = box.scrollHeight;
}

async function start(): Promise<void> {
  errorBox.textContent = '';
  const bots = [...document.querySelectorAll<HTMLInputElement>('input.bot:checked')].map((box) => box.value);
  const nickname = element<HTMLInputElement>('nickname').value.trim();
  const name = element<HTMLInputElement>('name').value.trim();
  const ticket = await api.createConversation({ nickname, bots, ...(name ? { name } : {}) });
  myId = ticket.my_participant_id;
  for (const participant of ticket.participants) names.set(participant.id, participant.name);
  element('start').hidden = true;
  element('chat').hidden = false;

  const status = element<HTMLDivElement>('status');
  const client = new ConversationClient({ url: ticket.websocket_url, token: ticket.token });
  client.on('open', () => (status.textContent = `connected · conversation ${ticket.id}`));
  client.on('close', ({ willReconnect }) => (status.textContent = willReconnect ? 'reconnecting…' : 'disconnected'));
  client.on('state', renderState);
  client.on('message', renderMessage);
  client.on('error', (error) => showError(`${error.code}: ${error.message}`));
  await client.connect();

  element<HTMLFormElement>('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = element<HTMLInputElement>('text');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    client.send({ text }).catch(showError);
  });
  element<HTMLInputElement>('text').focus();
}

element<HTMLButtonElement>('create').addEventListener('click', () => {
  start().catch(showError);
});
loadBots().catch(showError);
