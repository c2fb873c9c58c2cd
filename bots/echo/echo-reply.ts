/** What the Echo bot answers: the text upper-cased (it quotes the message it answers). */
export function echoAnswer(text: string): string {
  return text.toUpperCase();
}
