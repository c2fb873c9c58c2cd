/**
 * `npm run create-conversation -- [--nickname Ana] [--bots Echo,Calculator] [--name "…"] [--url http://127.0.0.1:3000]`
 * Creates a conversation on a running `npm start` (or any deployment's HTTP API) and prints what a
 * client needs: the conversation id, the participant's token and a ready-to-paste wscat command.
 */
import { parseArgs } from 'node:util';
import { ConversationsHttpClient } from '../sdk';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: `http://127.0.0.1:${process.env.HTTP_PORT ?? '3000'}` },
      nickname: { type: 'string', default: '' },
      bots: { type: 'string', default: '' },
      name: { type: 'string' },
    },
  });
  const api = new ConversationsHttpClient({ baseUrl: values.url! });
  const bots = values.bots ? values.bots.split(',').map((bot) => bot.trim()).filter(Boolean) : [];
  const ticket = await api.createConversation({
    nickname: values.nickname!,
    bots,
    ...(values.name ? { name: values.name } : {}),
  });
  const me = ticket.participants.find((participant) => participant.id === ticket.my_participant_id);
  process.stdout.write(
    [
      `conversation: ${ticket.id}`,
      `participant: ${me?.name ?? ticket.my_participant_id} (${ticket.my_participant_id})`,
      `token: ${ticket.token}`,
      `websocket: ${ticket.websocket_url}?token=${ticket.token}`,
      `try: npx wscat -c "${ticket.websocket_url}?token=${ticket.token}"  then send {"action":"sync","after_seq":0}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`create-conversation: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
