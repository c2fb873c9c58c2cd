/**
 * The bot manager's `command` (SPEC 3): a JSON object string carried on a message from the manager.
 * A malformed part is ignored with a warning and the message is still stored.
 */
export interface ManagerCommand {
  /** Acts on the quoted message. */
  action?: 'approve' | 'redirect';
  /** Bot names or participant ids, for `redirect` and `self_redirect`. */
  bots: string[];
  /** Fields replaced in the copy a redirect delivers. */
  overrides: Record<string, unknown>;
  selfApprove: boolean;
  selfRedirect: boolean;
  /** Participant id the message is stored as sent by. */
  onBehalfOf?: string;
  /** What was ignored, and why: logged by the caller. */
  warnings: string[];
}

const KNOWN_ACTIONS = new Set(['approve', 'redirect']);

export function parseManagerCommand(command: string | undefined): ManagerCommand {
  const result: ManagerCommand = { bots: [], overrides: {}, selfApprove: false, selfRedirect: false, warnings: [] };
  if (command === undefined || command.trim() === '') return result;

  let value: unknown;
  try {
    value = JSON.parse(command);
  } catch {
    result.warnings.push('command is not valid JSON');
    return result;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    result.warnings.push('command is not a JSON object');
    return result;
  }
  const fields = value as Record<string, unknown>;

  if (fields.action !== undefined && fields.action !== '') {
    if (typeof fields.action === 'string' && KNOWN_ACTIONS.has(fields.action)) {
      result.action = fields.action as ManagerCommand['action'];
    } else {
      result.warnings.push(`unknown action ${JSON.stringify(fields.action)}`);
    }
  }
  if (fields.bots !== undefined) {
    if (Array.isArray(fields.bots) && fields.bots.every((bot) => typeof bot === 'string' && bot !== '')) {
      result.bots = fields.bots as string[];
    } else {
      result.warnings.push('bots must be a list of bot names or participant ids');
    }
  }
  if (fields.overrides !== undefined) {
    if (typeof fields.overrides === 'object' && fields.overrides !== null && !Array.isArray(fields.overrides)) {
      result.overrides = fields.overrides as Record<string, unknown>;
    } else {
      result.warnings.push('overrides must be an object');
    }
  }
  result.selfApprove = fields.self_approve === true;
  result.selfRedirect = fields.self_redirect === true;
  if (fields.on_behalf_of !== undefined) {
    if (typeof fields.on_behalf_of === 'string' && fields.on_behalf_of !== '') {
      result.onBehalfOf = fields.on_behalf_of;
    } else {
      result.warnings.push('on_behalf_of must be a participant id');
    }
  }
  if ((result.action === 'redirect' || result.selfRedirect) && result.bots.length === 0) {
    result.warnings.push('redirect without bots delivers nothing');
  }
  return result;
}
